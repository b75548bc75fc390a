/**
 * The same reader-facing suite on the real Astro build (dist/, or MEMTRACE_SITE_DIR; under MEMTRACE_BASE when the
 * site was built with a base), plus what only the real site has: the integration's emitted assets and Astro's
 * view transitions (ClientRouter), where figures arrive with a swapped-in page and `astro:page-load`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, open } from './browser.ts';
import { serveStatic, type StaticServer } from './server.ts';
import { announcement, describeStepper, figureIds, stepState } from './suite.ts';

const siteDir = inject('siteDir');
const base = process.env.MEMTRACE_BASE ?? '/';
const POST = 'posts/stack-and-heap/';
/** The router fetches and swaps pages in: give it the time a slow machine needs. */
const SWAP = { timeout: 10_000 };
const built = existsSync(join(siteDir, POST, 'index.html'));
if (!built && process.env.CI) throw new Error(`no built site in ${siteDir}: run npm run build first`);

let server: StaticServer;
const ready = built ? serveStatic(siteDir, base).then((s) => (server = s)) : undefined;
afterAll(async () => {
  await server?.close();
});

describe.skipIf(!built)('built site', () => {
  describeStepper('built site: stack and heap post', async () => {
    await ready;
    return { server, page: POST, name: 'site', maxLoadShift: 0 };
  });

  describe('built site: assets and view transitions', () => {
    let browser: Browser;
    const problems: string[] = [];
    beforeAll(async () => {
      await ready;
      browser = await launch();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('links the hashed script and stylesheet once per page with figures, and on no other page', () => {
      const pages = (dir: string): string[] =>
        readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
          e.isDirectory() ? pages(join(dir, e.name)) : e.name === 'index.html' ? [join(dir, e.name)] : [],
        );
      let withFigures = 0;
      for (const file of pages(siteDir)) {
        const html = readFileSync(file, 'utf8');
        const figures = (html.match(/<figure class="memtrace[ "]/g) ?? []).length;
        const scripts = html.match(/<script type="module" src="[^"]*memtrace\.[0-9a-f]{8}\.js"/g) ?? [];
        const styles = html.match(/<link rel="stylesheet" href="[^"]*memtrace\.[0-9a-f]{8}\.css"/g) ?? [];
        expect([scripts.length, styles.length], file).toEqual(figures > 0 ? [1, 1] : [0, 0]);
        if (figures > 0) {
          withFigures++;
          expect(scripts[0], file).toContain(`src="${base}`);
          expect(styles[0], file).toContain(`href="${base}`);
        }
      }
      expect(withFigures).toBeGreaterThan(0);
    });

    it('initialises the figures of a page reached through a view transition, and again after going back', async () => {
      const { page } = await open(browser, server.url, {}, problems);
      await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
      await page.click(`a[href$="${POST}"]`);
      await page.waitForURL(`**/${POST}`);
      await expect.poll(() => page.locator('figure.memtrace:not([data-memtrace=ready])').count(), SWAP).toBe(0);
      // Astro's router swapped the page in: same document, so only astro:page-load could have set the figures up.
      expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
      const ids = await figureIds(page);
      expect(ids.length).toBeGreaterThan(0);
      await page.locator(`#${ids[0]} [data-go=last]`).click();
      const st = await stepState(page, ids[0]);
      expect(st.visible).toEqual([st.n]);
      expect(st.live).toBe(announcement(st));

      await page.goBack();
      await page.waitForURL(server.url);
      // Let the router finish swapping the index in before going forward again, as a reader would.
      await expect.poll(() => page.locator('figure.memtrace').count(), SWAP).toBe(0);
      await page.goForward();
      await page.waitForURL(`**/${POST}**`);
      await expect.poll(() => page.locator('figure.memtrace[data-memtrace=ready]').count(), SWAP).toBe(ids.length);
      const again = await figureIds(page);
      // The URL still names the last step, so the figure opened there.
      expect((await stepState(page, again[0])).visible).toEqual([st.n]);
      await page.locator(`#${again[0]} [data-go=first]`).click();
      await page.locator(`#${again[0]} [data-go=next]`).click();
      expect((await stepState(page, again[0])).visible).toEqual([2]);
      expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
      await page.context().close();
    });

    it('logged no console error and requested nothing missing', () => {
      expect(problems).toEqual([]);
      expect(server.missing).toEqual([]);
    });
  });
});
