/**
 * The fixtures' SVGs in real Chromium, inlined in a page with the theme CSS and the font, as a site serves them:
 * they parse, inject nothing, follow light and dark mode, and the page's font measures text as satori did.
 */
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { render, type RenderedFigure } from '../../plugin/src/render/index.ts';
import { CW } from '../../plugin/src/render/sizes.ts';
import { FIXTURES, launchChromium, previewPage } from './fixture-harness.ts';
import { fixtureTrace } from './helpers.ts';

let browser: Browser;
let page: Page;
const figures: Record<string, RenderedFigure> = {};

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage();
  for (const c of readdirSync(FIXTURES))
    figures[c] = await render(fixtureTrace(c), { idPrefix: `mt${c.replace(/\W/g, '')}-` });
});
afterAll(async () => browser?.close());

test('every step parses as SVG and holds only drawing elements', async () => {
  const svgs = Object.values(figures).flatMap((f) => f.steps.map((s) => s.svg));
  const problems = await page.evaluate((list) => {
    const out: string[] = [];
    for (const svg of list) {
      const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
      if (doc.querySelector('parsererror')) out.push(`parse error: ${svg.slice(0, 80)}`);
      const bad = doc.querySelector('script, foreignObject, image, a, style, iframe, [onload], [onerror]');
      if (bad) out.push(`unexpected <${bad.tagName}>`);
    }
    return out;
  }, svgs);
  expect(problems).toEqual([]);
});

test('the escaping program prints its markup as text', async () => {
  const fig = figures.escaping!;
  await page.setContent(previewPage(fig, 'light'));
  const found = await page.evaluate(() => ({
    scripts: document.querySelectorAll('script, img, b').length,
    text: [...document.querySelectorAll('svg')].at(-1)!.textContent,
  }));
  expect(found.scripts).toBe(0);
  expect(found.text).toContain('</svg><script>alert(1)</script>');
  expect(found.text).toContain('<img src=x onerror=alert(1)> & done');
});

test('a figure drawn with `shared` (once, then <use>) is pixel for pixel its standalone steps', async () => {
  // Figures with marks over reused frames and objects: tints must stay under the text, outlines over the cells.
  for (const c of ['classes', 'dict', 'freed', 'aliasing']) {
    const shared = await render(fixtureTrace(c), { idPrefix: `mt${c.replace(/\W/g, '')}-`, shared: true });
    expect(shared.shared).toMatch(/id="mt\w+-d0u"/);
    const shots: string[] = [];
    for (const fig of [figures[c]!, shared]) {
      await page.setContent(previewPage(fig, 'light', 3));
      await page.evaluate(() => document.fonts.ready);
      shots.push((await page.screenshot({ fullPage: true })).toString('base64'));
    }
    expect(shots[1] === shots[0], c).toBe(true);
  }
});

async function colours(theme: 'light' | 'dark', scheme: 'light' | 'dark') {
  await page.emulateMedia({ colorScheme: scheme });
  const html = previewPage(figures.seed!, theme).replace(
    `data-theme="${theme}"`,
    theme === 'light' && scheme === 'dark' ? '' : `data-theme="${theme}"`,
  );
  await page.setContent(html);
  return page.evaluate(() => {
    const svg = document.querySelector('svg')!;
    const text = svg.querySelector('g[fill^="var(--memtrace-fg"] text')!;
    return { text: getComputedStyle(text).fill, bg: getComputedStyle(svg.querySelector('rect')!).fill };
  });
}

test("follows data-theme and prefers-color-scheme, on the page's own background", async () => {
  // On a page the figure has no background of its own (theme.css): the host's shows through, light or dark.
  const light = await colours('light', 'light');
  expect(light).toEqual({ text: 'rgb(31, 35, 40)', bg: 'rgba(0, 0, 0, 0)' });
  const dark = await colours('dark', 'light');
  expect(dark).toEqual({ text: 'rgb(230, 237, 243)', bg: 'rgba(0, 0, 0, 0)' });
  // No data-theme: the OS decides.
  expect(await colours('light', 'dark')).toEqual(dark);
  // data-theme="light" wins over a dark OS.
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.setContent(previewPage(figures.seed!, 'light'));
  const text = await page.evaluate(
    () => getComputedStyle(document.querySelector('svg g[fill^="var(--memtrace-fg"] text')!).fill,
  );
  expect(text).toBe(light.text);
  await page.emulateMedia({ colorScheme: 'light' });
});

test('the page font measures text as satori did, so text stays inside its boxes', async () => {
  await page.setContent(previewPage(figures.seed!, 'light'));
  const widths = await page.evaluate(() => {
    const out: [string, number, number][] = [];
    for (const t of document.querySelectorAll('svg text')) {
      const size = Number(getComputedStyle(t).fontSize.replace('px', ''));
      out.push([t.textContent!, (t as SVGTextContentElement).getComputedTextLength(), size]);
    }
    return { out, loaded: document.fonts.check('13px "DejaVu Mono"') };
  });
  expect(widths.loaded).toBe(true);
  for (const [s, w, size] of widths.out) {
    expect(Math.abs(w - [...s].length * CW * (size / 13)), `"${s}"`).toBeLessThan(0.5);
  }
});
