/**
 * `astro dev`: saving an edit to a memtrace block updates its figure; a block that cannot be traced shows an error
 * panel in place of the figure, and the server keeps running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const site = join(root, 'tests/.tmp', `dev-${process.pid}`);
const post = join(site, 'src/pages/post.md');
const port = 4400 + (process.pid % 500);
let server: ChildProcess;
let log = '';

const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_ENV' && k !== 'TEST'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function page(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/post/`, { signal: AbortSignal.timeout(60_000) });
  return res.text();
}

/** Polls the page until `ok` holds: the dev server re-renders a saved file asynchronously. */
async function until(ok: (html: string) => boolean, what: string): Promise<string> {
  let html = '';
  for (let i = 0; i < 360; i++) {
    try {
      html = await page();
      if (ok(html)) return html;
    } catch {}
    await sleep(500);
  }
  throw new Error(`timed out waiting for ${what}; server log:\n${log}`);
}

beforeAll(async () => {
  cpSync(join(root, 'tests/fixtures/astro/satteri'), site, { recursive: true });
  server = spawn('npx', ['astro', 'dev', '--root', site, '--port', String(port), '--host', '127.0.0.1'], {
    cwd: root,
    // Vitest's own variables (VITEST, NODE_ENV=test, ...) would make Vite inside astro dev behave as under test.
    env: { ...cleanEnv(), ASTRO_TELEMETRY_DISABLED: '1', FIXTURE_CACHE_DIR: mkdtempSync(join(tmpdir(), 'mt-dev-cache-')) },
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
});
