/**
 * The packed tarball in a fresh Starlight site outside the workspace: the Starlight config snippets of the README and
 * the getting-started page, exactly as written, with Starlight's content collection and one docs page, then
 * `astro build`.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, open, screenshot } from '../e2e/browser.ts';
import { serveStatic, type StaticServer } from '../e2e/server.ts';
import { astroBuild, BUILD_TIMEOUT, DOCS, figures, freshProject, pack, PAGE_MD, snippets, write } from './helpers.ts';

const tarball = pack();
const site = freshProject('starlight', tarball.file, ['astro', '@astrojs/starlight']);
console.log(`fresh Starlight site: npm install of the tarball took ${(site.install.ms / 1000).toFixed(1)} s`);
write(site.dir, {
  'src/content.config.ts': [
    "import { defineCollection } from 'astro:content';",
    "import { docsLoader } from '@astrojs/starlight/loaders';",
    "import { docsSchema } from '@astrojs/starlight/schema';",
    '',
    'export const collections = { docs: defineCollection({ loader: docsLoader(), schema: docsSchema() }) };',
    '',
  ].join('\n'),
  // Starlight's pages link it, as its starter template ships it.
  'public/favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>',
  'src/content/docs/index.md': PAGE_MD.replace('# Aliasing\n', '---\ntitle: Aliasing\n---\n'),
});

describe('memtrace in a fresh Starlight site, from the packed tarball', () => {
  const found = DOCS.flatMap((doc) =>
    snippets(doc)
      .filter(
        (s) =>
          s.lang === 'js' && s.code.startsWith('// astro.config.mjs') && s.code.includes("from '@astrojs/starlight'"),
      )
      .map((s) => ({ doc, ...s })),
  );
  it('the docs have a Starlight config snippet', () => expect(found.length).toBeGreaterThan(0));
  for (const snippet of found) {
    it(
      `builds with the config snippet of ${snippet.doc}:${snippet.line} as written`,
      () => {
        // Each build from scratch: no output, no content-layer cache left by the previous snippet's build.
        for (const d of ['dist', '.astro', 'node_modules/.astro'])
          rmSync(join(site.dir, d), { recursive: true, force: true });
        write(site.dir, { 'astro.config.mjs': snippet.code });
        const r = astroBuild(site.dir);
        expect(r.status, r.log).toBe(0);
        const html = readFileSync(join(site.dir, 'dist/index.html'), 'utf8');
        const [figure, ...rest] = figures(html);
        expect(rest).toHaveLength(0);
        expect(figure?.steps, r.log.slice(-3000)).toBeGreaterThanOrEqual(4);
        expect(figure.svgs).toBe(figure.steps);
        // Starlight's own page around it.
        expect(html).toContain('data-theme');
      },
      BUILD_TIMEOUT,
    );
  }
});

/**
 * What the reader sees on that site, with no stylesheet of the site's own: the figure takes Starlight's page
 * background in both themes, and its text, arrows and borders keep their contrast against that page.
 */
describe('the fresh Starlight site in Chromium', () => {
  let browser: Browser;
  let server: StaticServer;
  beforeAll(async () => {
    server = await serveStatic(join(site.dir, 'dist'));
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`shows the figure on Starlight's ${theme} page, its colours in contrast with it`, async () => {
      const problems: string[] = [];
      const { page } = await open(browser, server.url, { colorScheme: theme }, problems);
      await page.locator('starlight-theme-select select').locator('visible=true').first().selectOption(theme);
      const figure = page.locator('figure.memtrace');
      await figure.locator('[data-go=last]').click();
      const seen = await page.evaluate(() => {
        const figure = document.querySelector('figure.memtrace')!;
        const svg = figure.querySelector('.memtrace-step.is-current svg.mt-x')!;
        // What steps share is drawn once in the figure's definitions, so look for each role in the whole figure.
        const find = (sel: string) => {
          const el = svg.querySelector(sel) ?? figure.querySelector(sel);
          if (!el) throw new Error(`nothing drawn with ${sel}`);
          return getComputedStyle(el);
        };
        const fill = (sel: string) => find(sel).fill;
        return {
          theme: document.documentElement.dataset.theme,
          rect: fill(':scope > rect'),
          page: getComputedStyle(document.body).backgroundColor,
          fg: fill('[fill^="var(--memtrace-fg"]'),
          muted: fill('[fill^="var(--memtrace-muted"]'),
          border: fill('[fill^="var(--memtrace-border"]'),
          arrow: find('[stroke^="var(--memtrace-arrow"]').stroke,
        };
      });
      await screenshot(page, `package-starlight-${theme}`, figure);
      expect(seen.theme).toBe(theme);
      // No background of its own: Starlight's page shows through.
      expect(seen.rect).toMatch(/^(transparent|rgba\(0, 0, 0, 0\))$/);
      const bg = rgb(seen.page);
      expect(contrast(rgb(seen.fg), bg)).toBeGreaterThanOrEqual(7);
      expect(contrast(rgb(seen.muted), bg)).toBeGreaterThanOrEqual(4.5);
      expect(contrast(rgb(seen.arrow), bg)).toBeGreaterThanOrEqual(3);
      expect(contrast(rgb(seen.border), bg)).toBeGreaterThanOrEqual(2);
      expect(problems).toEqual([]);
      await page.context().close();
    });
  }
});

const rgb = (c: string) =>
  c
    .match(/\d+(\.\d+)?/g)!
    .slice(0, 3)
    .map(Number);
/** WCAG contrast ratio of two sRGB colours. */
function contrast(a: number[], b: number[]): number {
  const lum = ([r, g, bl]: number[]) => {
    const lin = (v: number) => ((v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(bl!);
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}
