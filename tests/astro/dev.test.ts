/**
 * `astro dev`: saving an edit to a memtrace block updates its figure; a block that cannot be traced shows an error
 * panel in place of the figure, and the server keeps running. Saves that a dev server meets while an author works
 * (two in quick succession, a file caught mid-write, a post renamed or deleted) neither crash it nor leave a figure
 * of an older version.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasFigure, startDevServer, type DevServer } from './dev-server.ts';

let server: DevServer;
let post: string;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const page = async (path = '/post/') => (await server.fetchPage(path)).html;
const until = (ok: (html: string, status: number) => boolean, what: string, path = '/post/') =>
  server.until(path, ok, what);
const withSquare = (text: string, n: number) => text.replace(/x = \[square\(\d+\)\]?/, `x = [square(${n})]`);

beforeAll(async () => {
  server = startDevServer('satteri', 'dev');
  post = join(server.site, 'src/pages/post.md');
  await until((html) => html.includes('class="memtrace'), 'the first figure');
});

afterAll(() => server?.stop());

describe('astro dev', () => {
  it('serves the figure and its assets', async () => {
    const html = await page();
    const script = html.match(/src="([^"]*memtrace\.[0-9a-f]{8}\.js)"/)![1]!;
    const res = await fetch(`http://127.0.0.1:${server.port}${script}`);
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
    expect(server.alive()).toBe(true);
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
    expect(server.alive()).toBe(true);
  });

  it('drops the figure of a renamed post, then of the deleted one, and keeps serving', async () => {
    const moved = join(server.site, 'src/pages/moved.md');
    renameSync(post, moved);
    await until((h) => hasFigure(h), 'the renamed post', '/moved/');
    await until((_, status) => status === 404, 'the old address to be gone');
    rmSync(moved);
    const html = await until((_, status) => status === 404, 'the deleted post to be gone', '/moved/');
    expect(html).not.toContain('class="memtrace');
    expect(server.alive()).toBe(true);
  });
});
