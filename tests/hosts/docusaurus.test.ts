/**
 * memtrace in a real Docusaurus site (examples/docusaurus): a real `docusaurus build`, then real Chromium. Docusaurus
 * compiles Markdown to React (MDX) in docs, blog and pages, hydrates the server's HTML and navigates client-side.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { runHost, siteInChromium } from './site.ts';

const example = resolve(import.meta.dirname, '../../examples/docusaurus');
const fixtures = resolve(import.meta.dirname, 'fixtures/broken');
const out = mkdtempSync(join(tmpdir(), 'mt-docusaurus-out-'));
const build = runHost(example, 'docusaurus', ['build', '--out-dir', out]);
const figures = (html: string) => html.match(/<figure class="memtrace[ "][\s\S]*?<\/figure>/g) ?? [];

describe('docusaurus build of the Docusaurus example', () => {
  it('succeeds and renders the memtrace blocks of docs (.md and .mdx), blog and pages as figures', () => {
    expect(build.status, build.log.slice(-4000)).toBe(0);
    for (const page of ['docs/stack-and-heap', 'docs/aliasing', 'blog/2026/11/30/a-copy', '']) {
      const html = readFileSync(join(out, page, 'index.html'), 'utf8');
      const [figure, ...rest] = figures(html);
      expect(figure, page).toBeDefined();
      expect(rest, page).toHaveLength(0);
      const steps = figure!.match(/<li class="memtrace-step[^"]*"/g) ?? [];
      expect(steps.length, page).toBeGreaterThan(1);
      expect(
        (figure!.match(/<svg [^>]*>/g) ?? []).filter((t) => t.includes('role="img"') && t.includes('mt-x')),
      ).toHaveLength(steps.length);
      // Webpack serves the stepper and the stylesheet: no asset tags of the engine's own in the content.
      expect(html).not.toMatch(/<script type="module">|memtrace\.[0-9a-f]{8}\.js/);
    }
  });

  it('fails on a broken block, naming the Markdown file and line', () => {
    const broken = runHost(
      example,
      'docusaurus',
      ['build', '--out-dir', mkdtempSync(join(tmpdir(), 'mt-docusaurus-broken-'))],
      { FIXTURE_DOCS: fixtures },
    );
    expect(broken.status, broken.log.slice(-4000)).not.toBe(0);
    const syntaxLine = readFileSync(join(fixtures, 'syntax.md'), 'utf8').split('\n').indexOf('y = [x, 2') + 1;
    const optionLine =
      readFileSync(join(fixtures, 'option.md'), 'utf8').split('\n').indexOf('```python memtrace colour=red') + 1;
    expect(syntaxLine * optionLine).toBeGreaterThan(0);
    // Webpack reports every module that failed: both pages, each at its own line.
    expect(broken.log).toMatch(new RegExp(`${join(fixtures, 'syntax.md')}:${syntaxLine}:\\d+: SyntaxError`));
    expect(broken.log).toMatch(new RegExp(`${join(fixtures, 'option.md')}:${optionLine}:1: .*colour`));
  }, 900_000);
});

describe('the Docusaurus example in Chromium', () => {
  siteInChromium({
    name: 'docusaurus',
    out,
    build,
    first: 'docs/stack-and-heap/',
    linkToSecond: 'article a[href*="/docs/aliasing"]',
    onSecond: (url) => url.includes('/docs/aliasing'),
    async switchToDark(page: Page) {
      // The toggle cycles through light, dark and (in newer versions) the system setting.
      const toggle = page.locator('button[aria-label*="dark and light mode" i]').locator('visible=true').first();
      for (let i = 0; i < 3 && (await page.evaluate(() => document.documentElement.dataset.theme)) !== 'dark'; i++)
        await toggle.click();
      return (await page.evaluate(() => document.documentElement.dataset.theme)) === 'dark' ? 'data-theme=dark' : '';
    },
  });
});
