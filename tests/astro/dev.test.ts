/**
 * `astro dev`: saving an edit to a memtrace block updates its figure; a block that cannot be traced shows an error
 * panel in place of the figure, and the server keeps running. Saves that a dev server meets while an author works
 * (two in quick succession, a file caught mid-write, a post renamed or deleted) neither crash it nor leave a figure
 * of an older version.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const site = join(root, 'tests/.tmp', `dev-${process.pid}`);
const post = join(site, 'src/pages/post.md');
const port = 4400 + (process.pid % 500);
let server: ChildProcess;
let log = '';

const cleanEnv = () =>
  Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_ENV' && k !== 'TEST'),
  );
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function fetchPage(path = '/post/'): Promise<{ status: number; html: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(60_000) });
  return { status: res.status, html: await res.text() };
}

const page = async (path?: string) => (await fetchPage(path)).html;

/** Polls a page until `ok` holds: the dev server re-renders a saved file asynchronously. */
async function until(ok: (html: string, status: number) => boolean, what: string, path?: string): Promise<string> {
  let html = '';
  for (let i = 0; i < 360; i++) {
    try {
      const r = await fetchPage(path);
      html = r.html;
      if (ok(html, r.status)) return html;
    } catch {}
    await sleep(500);
  }
  throw new Error(`timed out waiting for ${what}; server log:\n${log}`);
}

const hasFigure = (html: string) => html.includes('class="memtrace') && !html.includes('memtrace-error');
const withSquare = (text: string, n: number) => text.replace(/x = \[square\(\d+\)\]?/, `x = [square(${n})]`);

beforeAll(async () => {
  cpSync(join(root, 'tests/fixtures/astro/satteri'), site, { recursive: true });
  server = spawn('npx', ['astro', 'dev', '--root', site, '--port', String(port), '--host', '127.0.0.1'], {
    cwd: root,
    // Vitest's own variables (VITEST, NODE_ENV=test, ...) would make Vite inside astro dev behave as under test.
    env: {
      ...cleanEnv(),
      ASTRO_TELEMETRY_DISABLED: '1',
      FIXTURE_CACHE_DIR: mkdtempSync(join(tmpdir(), 'mt-dev-cache-')),
    },
    detached: true,
  });
  server.stdout!.on('data', (d) => (log += d));
  server.stderr!.on('data', (d) => (log += d));
  await until((html) => html.includes('class="memtrace'), 'the first figure');
});

afterAll(() => {
  if (server?.pid) process.kill(-server.pid, 'SIGTERM');
  rmSync(site, { recursive: true, force: true });
});

describe('astro dev', () => {
  it('serves the figure and its assets', async () => {
    const html = await page();
    const script = html.match(/src="([^"]*memtrace\.[0-9a-f]{8}\.js)"/)![1]!;
    const res = await fetch(`http://127.0.0.1:${port}${script}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    // The dev server's pages carry placeholders in Astro's data and get their figures when served: none is left.
    expect(html).not.toContain('memtrace-slot');
    expect(html).toMatch(/<svg/);
  });

  it('shows an error panel for a broken block and keeps serving', async () => {
    writeFileSync(post, readFileSync(post, 'utf8').replace('x = [square(3)]', 'x = [square(3)'));
    const html = await until((h) => h.includes('memtrace-error'), 'the error panel');
    expect(html).toMatch(/SyntaxError/);
    expect(html).toMatch(/post\.md:\d+:\d+/);
    expect(server.exitCode).toBeNull();
  });

  it('updates the figure when the block is fixed and changed', async () => {
    writeFileSync(post, readFileSync(post, 'utf8').replace('x = [square(3)', 'x = [square(7)]'));
    const html = await until((h) => h.includes('class="memtrace') && !h.includes('memtrace-error'), 'the new figure');
    expect(html).toContain('49');
  });

  it('shows only the last of two quick saves', async () => {
    const text = readFileSync(post, 'utf8');
    writeFileSync(post, withSquare(text, 11));
    await sleep(20);
    writeFileSync(post, withSquare(text, 12));
    await until((h) => hasFigure(h) && h.includes('144'), 'the figure of the second save');
    // Whatever was still being traced for the first save must not come back in its place.
    await sleep(3000);
    const html = await page();
    expect(html).toContain('144');
    expect(html).not.toContain('121');
  });

  it('survives a save caught mid-write (an empty file, then the full one)', async () => {
    const text = readFileSync(post, 'utf8');
    writeFileSync(post, '');
    await sleep(300);
    writeFileSync(post, withSquare(text, 5));
    const html = await until((h) => hasFigure(h) && h.includes('square(5)'), 'the figure after the full save');
    expect(html).toContain('25');
    expect(server.exitCode).toBeNull();
  });

  it('drops the figure of a renamed post, then of the deleted one, and keeps serving', async () => {
    const moved = join(site, 'src/pages/moved.md');
    renameSync(post, moved);
    await until((h) => hasFigure(h), 'the renamed post', '/moved/');
    await until((_, status) => status === 404, 'the old address to be gone');
    rmSync(moved);
    const html = await until((_, status) => status === 404, 'the deleted post to be gone', '/moved/');
    expect(html).not.toContain('class="memtrace');
    expect(server.exitCode).toBeNull();
  });
});
