/**
 * memtrace in a real VitePress site (examples/vitepress): a real `vitepress build`, then real Chromium. VitePress
 * renders Markdown with markdown-it and compiles every page as a Vue template, so the figure must arrive before
 * markdown-it and pass through Vue's compiler untouched.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, open } from '../e2e/browser.ts';
import { serveStatic, type StaticServer } from '../e2e/server.ts';
import { runHost, siteInChromium } from './site.ts';

const example = resolve(import.meta.dirname, '../../examples/vitepress');
const fixtures = resolve(import.meta.dirname, 'fixtures/broken');
const out = mkdtempSync(join(tmpdir(), 'mt-vitepress-out-'));
const build = runHost(example, 'vitepress', ['build'], {
  FIXTURE_OUT_DIR: out,
  FIXTURE_CACHE_DIR: mkdtempSync(join(tmpdir(), 'mt-vitepress-cache-')),
});
const figures = (html: string) => html.match(/<figure class="memtrace[ "][\s\S]*?<\/figure>/g) ?? [];

/** The program of the page's memtrace block with this title, as the author wrote it. */
function program(file: string, title: string): string {
  const md = readFileSync(join(example, file), 'utf8');
  const at = md.indexOf(`title="${title}"`);
  const start = md.indexOf('\n', at) + 1;
  return md.slice(start, md.indexOf('\n```', start));
}

describe('vitepress build of the VitePress example', () => {
  it('succeeds and replaces each memtrace block with a figure of SVG steps', () => {
    expect(build.status, build.log).toBe(0);
    for (const [page, n] of [
      ['index.html', 1],
      ['aliasing.html', 2],
    ] as const) {
      const found = figures(readFileSync(join(out, page), 'utf8'));
      expect(found, page).toHaveLength(n);
      for (const figure of found) {
        const steps = figure.match(/<li class="memtrace-step[^"]*"/g) ?? [];
        expect(steps.length).toBeGreaterThan(2);
        expect(
          (figure.match(/<svg [^>]*>/g) ?? []).filter((t) => t.includes('role="img"') && t.includes('mt-x')),
        ).toHaveLength(steps.length);
      }
    }
    expect(readFileSync(join(out, 'aliasing.html'), 'utf8')).not.toContain('language-python memtrace');
  });

  it('fails on a broken block, naming the Markdown file and line', () => {
    const broken = runHost(example, 'vitepress', ['build'], {
      FIXTURE_SRC_DIR: fixtures,
      FIXTURE_OUT_DIR: mkdtempSync(join(tmpdir(), 'mt-vitepress-broken-')),
    });
    expect(broken.status, broken.log).not.toBe(0);
    // Rollup stops at the first failing module: either page may be it.
    const syntaxLine = readFileSync(join(fixtures, 'syntax.md'), 'utf8').split('\n').indexOf('y = [x, 2') + 1;
    const optionLine =
      readFileSync(join(fixtures, 'option.md'), 'utf8').split('\n').indexOf('```python memtrace colour=red') + 1;
    expect(syntaxLine * optionLine).toBeGreaterThan(0);
    const located = new RegExp(
      `${join(fixtures, 'syntax.md')}:${syntaxLine}:\\d+: SyntaxError|${join(fixtures, 'option.md')}:${optionLine}:1: .*colour`,
    );
    expect(broken.log).toMatch(located);
  });
});

describe('the VitePress example in Chromium', () => {
  siteInChromium({
    name: 'vitepress',
    out,
    build,
    first: 'index.html',
    linkToSecond: '.vp-doc a[href*="aliasing"]',
    onSecond: (url) => url.includes('/aliasing'),
    async switchToDark(page: Page) {
      await page.locator('.VPNavBarAppearance button, .VPSwitchAppearance').locator('visible=true').first().click();
      await expect.poll(() => page.evaluate(() => document.documentElement.className)).toContain('dark');
      return page.evaluate(() => document.documentElement.className);
    },
  });
});

describe('a program that reads like a Vue template', () => {
  let server: StaticServer;
  beforeAll(async () => {
    if (build.status !== 0) throw new Error(`the VitePress example did not build:\n${build.log.slice(-4000)}`);
    server = await serveStatic(out);
  });
  afterAll(() => server?.close());

  it('shows its code and output as text: no interpolation, no directive, no markup', async () => {
    const browser = await launch();
    try {
      const { page, problems } = await open(browser, server.url + 'aliasing.html');
      const figure = page.locator('figure.memtrace', { hasText: 'Braces, brackets and ampersands' });
      expect(await figure.locator('pre.memtrace-src').textContent()).toBe(
        program('aliasing.md', 'Braces, brackets and ampersands'),
      );
      await figure.locator('[data-go=last]').click();
      const text = await figure.locator('.memtrace-step.is-current').textContent();
      // What the program printed: 1 < 2 & 3 is 1 < (2 & 3), True.
      expect(text).toContain(`{{ user.name }} <b v-if='ok'> & </b> v-if True`);
      expect(await figure.locator('b').count()).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
