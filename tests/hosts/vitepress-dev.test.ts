/**
 * `vitepress dev` with memtrace: the figure is there on first load, and saving the page hot-updates it (same
 * document, no reload) with a figure of the new program that steps.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { launch, open } from '../e2e/browser.ts';
import { stripAnsi } from './site.ts';

const example = resolve(import.meta.dirname, '../../examples/vitepress');
// Inside the project, where the dev server may read files.
const tmp = resolve(import.meta.dirname, '../.tmp');
mkdirSync(tmp, { recursive: true });
const src = mkdtempSync(resolve(tmp, 'vitepress-dev-'));
// The site's head links its favicon from the public folder, which moves with the pages.
cpSync(resolve(example, 'public'), resolve(src, 'public'), { recursive: true });
// The dev server applies the head's icon link from script, after the browser has asked for /favicon.ico.
cpSync(resolve(example, 'public/favicon.svg'), resolve(src, 'public/favicon.ico'));
const page = (program: string) => `# Hot update\n\n\`\`\`python memtrace title="Live"\n${program}\n\`\`\`\n`;

/** Starts the dev server on a free port; resolves with its URL once it listens. */
function devServer(): Promise<{ url: string; child: ChildProcess; log: () => string }> {
  const cli = `${example}/node_modules/.bin/vitepress`;
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm install\` in ${example}`);
  const child = spawn(
    cli,
    ['dev', '--host', '127.0.0.1', '--port', String(20000 + Math.floor(Math.random() * 20000))],
    {
      cwd: example,
      env: { ...process.env, FIXTURE_SRC_DIR: src, FIXTURE_CACHE_DIR: resolve(src, '.cache') },
      detached: true,
    },
  );
  let log = '';
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`vitepress dev did not start:\n${log}`)), 120_000);
    const read = (chunk: Buffer) => {
      log += stripAnsi(chunk.toString());
      const url = /Local:\s+(http:\/\/\S+)/.exec(log)?.[1];
      if (url) {
        clearTimeout(timer);
        done({ url, child, log: () => log });
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', (code) => fail(new Error(`vitepress dev exited (${code}):\n${log}`)));
  });
}

describe('vitepress dev', () => {
  let server: Awaited<ReturnType<typeof devServer>> | undefined;
  afterAll(() => {
    if (server?.child.pid) process.kill(-server.child.pid);
    rmSync(src, { recursive: true, force: true });
  });

  it('hot-updates a figure when its page is saved', async () => {
    writeFileSync(resolve(src, 'index.md'), page('x = 1\ny = 2'));
    server = await devServer();
    const browser = await launch();
    try {
      const { page: p, problems } = await open(browser, server.url);
      const figure = p.locator('figure.memtrace');
      // The first request renders the page, which starts Pyodide: on a loaded 2-core machine, a minute or more.
      await expect
        .poll(() => figure.getAttribute('data-memtrace', { timeout: 5000 }), { timeout: 180_000 })
        .toBe('ready');
      const before = await figure.locator('.memtrace-step').count();
      await p.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));

      writeFileSync(resolve(src, 'index.md'), page('x = 1\ny = 2\nz = [x, y]\nz.append(3)'));
      await expect.poll(() => figure.locator('.memtrace-step').count(), { timeout: 60_000 }).toBeGreaterThan(before);
      expect(await p.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
      await expect.poll(() => figure.getAttribute('data-memtrace')).toBe('ready');
      await figure.press('End');
      const total = await figure.locator('.memtrace-step').count();
      await expect
        .poll(() => figure.locator('[data-mt=status]').textContent())
        .toMatch(new RegExp(`^Step ${total} of ${total}, line 4$`));
      expect(problems, server.log()).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
