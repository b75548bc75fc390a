/**
 * Readable figures at every width, on the built demo site in Chromium: at two phone widths, a tablet and a desktop,
 * the text of the figures reaches the eye at a readable size, no page scrolls sideways, the seed and gallery figures
 * never pan, few figures pan on a phone, and stepping never moves the page. Screenshots of the seed figure and two
 * gallery figures at each width, light and dark, go to test-results/screenshots.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, SCREENSHOTS } from './browser.ts';
import {
  imageDifference,
  measureReadability,
  quantile,
  stepView,
  WIDTHS,
  type Readability,
  type StepView,
} from './readability.ts';
import { serveStatic, type StaticServer } from './server.ts';

const siteDir = inject('siteDir');
const base = process.env.MEMTRACE_BASE ?? '/';
const SEED = 'posts/stack-and-heap/';
const GALLERY = 'gallery/';
/** A figure whose list is wider than a phone's column. */
const LONG_LIST = ['posts/names-and-aliasing/', 'A slice copies part of a list'] as const;
const built = existsSync(join(siteDir, SEED, 'index.html'));
if (!built && process.env.CI) throw new Error(`no built site in ${siteDir}: run npm run build first`);

/** Site-relative paths of the built pages that hold a figure. */
function figurePages(): string[] {
  return readdirSync(siteDir, { recursive: true, encoding: 'utf8' })
    .filter(
      (f) => f.endsWith('index.html') && readFileSync(join(siteDir, f), 'utf8').includes('<figure class="memtrace'),
    )
    .map((f) => f.replace(/index\.html$/, ''))
    .sort();
}

const load = async (page: Page, url: string) => {
  await page.goto(url, { waitUntil: 'load' });
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
};

/** The current step's band (the box a too-wide structure pans in), what stays above it, and where its arrows end. */
const bandOf = (fig: Locator) =>
  fig.locator('.memtrace-step.is-current').evaluate((li) => {
    const above = li.querySelector<SVGSVGElement>('.mt-dia > svg.mt-y')!;
    const pan = li.querySelector<HTMLElement>('.mt-pan')!;
    const dia = li.querySelector<HTMLElement>('.mt-dia')!;
    const vb = above.viewBox.baseVal;
    // Arrow ends, in the SVG's units: one that reaches the band ends on its top edge, in the part that stays put.
    const ends = [...above.querySelectorAll<SVGPathElement>('[marker-end] path')].map((p) =>
      p.getPointAtLength(p.getTotalLength()),
    );
    const box = pan.getBoundingClientRect();
    return {
      aboveLeft: above.getBoundingClientRect().left,
      bandLeft: pan.querySelector('svg')!.getBoundingClientRect().left,
      box: { x: box.x + scrollX, y: box.y + scrollY, width: box.width, height: box.height },
      scroll: [pan.scrollLeft, pan.scrollWidth, pan.clientWidth],
      diaPans: dia.scrollWidth > dia.clientWidth + 1,
      mask: getComputedStyle(pan).maskImage,
      arrowsIn: ends.filter((e) => Math.abs(e.y - vb.height) <= 1.5 && e.x < vb.width - 10).length,
    };
  });

describe.skipIf(!built)('readable figures at every width', () => {
  let server: StaticServer;
  let browser: Browser;
  /** Per width: every figure page's measures. */
  const measured = new Map<number, Map<string, Readability>>();

  beforeAll(async () => {
    server = await serveStatic(siteDir, base);
    browser = await launch();
    const pages = figurePages();
    expect(pages).toContain(SEED);
    expect(pages).toContain(GALLERY);
    for (const width of WIDTHS) {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      const byPage = new Map<string, Readability>();
      for (const path of pages) {
        await load(page, server.url + path);
        byPage.set(path, await measureReadability(page));
      }
      measured.set(width, byPage);
      await context.close();
    }
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  describe.each(WIDTHS.map((w) => [w]))('at %i px', (width) => {
    const phone = width < 600;
    const all = () => [...measured.get(width)!.values()];

    it(`draws figure text at a median of ${phone ? 12 : 13} px or more, and 95% of it at ${phone ? 10 : 11} px or more`, () => {
      const sizes = all().flatMap((r) => r.sizes);
      expect(sizes.length).toBeGreaterThan(500);
      expect(quantile(sizes, 0.5)).toBeGreaterThanOrEqual(phone ? 12 : 13);
      expect(quantile(sizes, 0.05)).toBeGreaterThanOrEqual(phone ? 10 : 11);
    });

    it('never makes a page scroll sideways', () => {
      const overflowing = [...measured.get(width)!].filter(([, r]) => r.pageOverflow).map(([p]) => p);
      expect(overflowing).toEqual([]);
    });

    it('never pans the seed figure or a gallery figure, and pans at most one figure in ten', () => {
      const byPage = measured.get(width)!;
      for (const path of [SEED, GALLERY])
        expect([...byPage.get(path)!.panning, ...byPage.get(path)!.bands]).toEqual([]);
      expect(byPage.get(GALLERY)!.figures.length).toBeGreaterThanOrEqual(10);
      const figures = all().reduce((n, r) => n + r.figures.length, 0);
      // A figure pans if anything in it does: its diagram, its code, or a structure in its own box.
      const panning = [...new Set(all().flatMap((r) => [...r.panning, ...r.bands]))];
      expect(panning.length * 10, `panning: ${panning.join(', ')}`).toBeLessThanOrEqual(figures);
    });
  });

  it('shows the line to run and what the step changed together while the seed figure steps, at 390 × 844 px', async () => {
    // No animation, so that each measure sees where the page settles.
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, reducedMotion: 'reduce' });
    const page = await context.newPage();
    await load(page, server.url + SEED);
    const fig = page.locator('figure.memtrace').first();
    await fig.locator('[data-go=first]').click({ force: true });
    // The reader has scrolled to the figure and steps with the buttons from there.
    await fig.evaluate((f) => scrollTo(0, f.getBoundingClientRect().top + scrollY));
    const n = await fig.locator('.memtrace-step').count();
    const views: (StepView & { step: number })[] = [];
    for (let k = 2; k <= n; k++) {
      await fig.locator('[data-go=next]').click();
      views.push({ step: k, ...(await stepView(fig)) });
    }
    expect(views.filter((v) => v.change).length).toBeGreaterThan(n / 2);
    expect(views.filter((v) => !v.lineSeen || !v.changeSeen)).toEqual([]);
    await context.close();
  });

  it.each(['light', 'dark'] as const)(
    'pans a list wider than a 360 px screen in its own box, which fades out where there is more (%s)',
    async (colorScheme) => {
      const context = await browser.newContext({ viewport: { width: 360, height: 900 }, colorScheme });
      const page = await context.newPage();
      await load(page, server.url + LONG_LIST[0]);
      const fig = page.locator('figure.memtrace', { has: page.locator('figcaption', { hasText: LONG_LIST[1] }) });
      await fig.locator('[data-go=last]').click();
      const id = (await fig.getAttribute('id'))!;
      const r = await measureReadability(page);
      expect(r.pageOverflow).toBe(false);
      // The list pans in its own box; the rest of the diagram (and the code) does not pan.
      expect(r.bands).toContain(id);
      expect(r.panning).not.toContain(id);
      const before = await bandOf(fig);
      expect(before.diaPans).toBe(false);
      expect(before.scroll[1]).toBeGreaterThan(before.scroll[2]! + 40);
      // An arrow from a variable reaches the list in the part that stays put.
      expect(before.arrowsIn).toBeGreaterThan(0);
      // The cue: the right edge of the box fades (a mask), the left edge does not.
      const strip = (x: number) => ({ x, y: before.box.y, width: 24, height: before.box.height });
      const right = strip(before.box.x + before.box.width - 24);
      const left = strip(before.box.x);
      const shots = () => Promise.all([right, left].map((clip) => page.screenshot({ clip, fullPage: true })));
      const masked = await shots();
      await fig.locator('.memtrace-step.is-current .mt-pan').evaluate((el) => el.style.setProperty('mask', 'none'));
      const bare = await shots();
      expect(await imageDifference(page, masked[0]!, bare[0]!)).toBeGreaterThan(3);
      expect(await imageDifference(page, masked[1]!, bare[1]!)).toBeLessThan(0.5);
      // Panning moves the list, and nothing above it.
      await fig.locator('.memtrace-step.is-current .mt-pan').evaluate((el) => el.scrollBy(60, 0));
      const after = await bandOf(fig);
      expect(after.scroll[0]).toBe(60);
      expect(after.bandLeft).toBeCloseTo(before.bandLeft - 60, 0);
      expect(after.aboveLeft).toBe(before.aboveLeft);
      expect(await page.evaluate(() => scrollX)).toBe(0);
      await context.close();
    },
  );

  it('pans the list in its own box without JavaScript too', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 900 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(server.url + LONG_LIST[0], { waitUntil: 'load' });
    const fig = page.locator('figure.memtrace', { has: page.locator('figcaption', { hasText: LONG_LIST[1] }) });
    const id = (await fig.getAttribute('id'))!;
    const r = await measureReadability(page);
    expect(r.pageOverflow).toBe(false);
    expect(r.bands).toContain(id);
    expect(r.panning).not.toContain(id);
    // Every step is listed; the last one's band fades at its edge.
    const mask = await fig
      .locator('.memtrace-step')
      .last()
      .locator('.mt-pan')
      .evaluate((el) => getComputedStyle(el).maskImage);
    expect(mask).toContain('linear-gradient');
    await context.close();
  });

  it.each([390, 768])(
    'keeps the page still while every figure of the seed post and the gallery steps, at %i px',
    async (width) => {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      for (const path of [SEED, GALLERY]) {
        await load(page, server.url + path);
        const ids = await page.$$eval('figure.memtrace', (fs) => fs.map((f) => f.id));
        for (const id of ids) {
          // Where the figure ends and where it is, step after step: both stay put.
          const where = () =>
            page.evaluate((id) => {
              const fig = document.getElementById(id)!;
              const r = fig.getBoundingClientRect();
              const current = fig.querySelector('.memtrace-step.is-current')!.id;
              return { top: Math.round(r.top + scrollY), height: Math.round(r.height), current };
            }, id);
          // Buttons at an end are aria-disabled (still focusable), which Playwright takes for disabled.
          await page.locator(`#${id} [data-go=first]`).click({ force: true });
          const first = await where();
          const n = await page.locator(`#${id} .memtrace-step`).count();
          for (let k = 1; k < Math.min(n, 30); k++) {
            await page.locator(`#${id} [data-go=next]`).click();
            const now = await where();
            expect(now.current, `${path}#${id}`).toBe(`${id}-step-${k + 1}`);
            expect({ top: now.top, height: now.height }, `${path}#${id} step ${k + 1}`).toEqual({
              top: first.top,
              height: first.height,
            });
          }
        }
      }
      await context.close();
    },
    600_000,
  );

  it('takes screenshots of the seed figure, two gallery figures and a long list at every width, light and dark', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      for (const width of WIDTHS) {
        const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
        const page = await context.newPage();
        for (const [path, nth, name] of [
          [SEED, 0, 'seed'],
          [GALLERY, 1, 'gallery-aliasing'],
          [GALLERY, 6, 'gallery-recursion'],
          [LONG_LIST[0], 2, 'long-list'],
        ] as const) {
          await load(page, server.url + path);
          const fig = page.locator('figure.memtrace').nth(nth);
          await fig.locator('[data-go=first]').click({ force: true });
          await fig.locator('[data-go=next]').click();
          // The figure as laid out, nothing pinned: stepping on a phone scrolls to what changed, and the pinned
          // parts would follow.
          await page.evaluate(() => scrollTo(0, 0));
          // The whole page's picture, cut to the figure: an element screenshot scrolls, and the sticky controls follow.
          const box = (await fig.boundingBox())!;
          const y = await page.evaluate(() => scrollY);
          await page.screenshot({
            path: join(SCREENSHOTS, `readability-${name}-${width}-${scheme}.png`),
            fullPage: true,
            clip: { ...box, y: box.y + y },
          });
        }
        await context.close();
      }
    }
    expect(existsSync(join(SCREENSHOTS, `readability-seed-360-dark.png`))).toBe(true);
  }, 600_000);
});
