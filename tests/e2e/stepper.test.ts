/**
 * The stepper in real Chromium, on a static site built from renderFigure's output and served under a base path.
 * The same suite runs on the real Astro build in site.test.ts.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, open } from './browser.ts';
import { buildFixtureSite, DEMO_PAGE, SWAP_PAGE, type FixtureSite } from './fixture-site.ts';
import { serveStatic, type StaticServer } from './server.ts';
import { announcement, describeStepper, stepState } from './suite.ts';

let site: FixtureSite;
let server: StaticServer;
const ready = (async () => {
  site = await buildFixtureSite();
  server = await serveStatic(site.root, site.base);
})();

afterAll(async () => {
  await server?.close();
});

describeStepper('fixture site', async () => {
  await ready;
  return { server, page: DEMO_PAGE, name: 'fixture', maxLoadShift: 0 };
});

describe('fixture site: links and page swaps', () => {
  let browser: Browser;
  const problems: string[] = [];
  beforeAll(async () => {
    await ready;
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('follows an in-page link to a step of another figure and brings it into view', async () => {
    const { page } = await open(browser, server.url + DEMO_PAGE, {}, problems);
    const id = site.ids.square;
    expect((await stepState(page, id)).visible).toEqual([1]);
    await page.click('#to-square-4');
    await expect.poll(async () => (await stepState(page, id)).visible).toEqual([4]);
    const box = (await page.locator(`#${id}`).boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(-1);
    expect(box.y).toBeLessThan(900);
    expect((await stepState(page, site.ids.alias)).visible).toEqual([1]);
    await page.context().close();
  });

  it('initialises figures that arrive with a new page body on astro:page-load, once', async () => {
    const { page } = await open(browser, server.url + SWAP_PAGE, {}, problems);
    const old = site.ids.alias;
    await page.locator(`#${old} [data-go=next]`).click();
    // What Astro's router does on navigation: new body content (its scripts inert), then astro:page-load.
    await page.evaluate((html) => {
      document.getElementById('slot')!.innerHTML = html;
      document.dispatchEvent(new Event('astro:page-load'));
      document.dispatchEvent(new Event('astro:page-load'));
    }, site.lateFigure);
    const late = site.ids.late;
    expect(await page.getAttribute(`#${late}`, 'data-memtrace')).toBe('ready');
    expect((await stepState(page, late)).visible).toEqual([1]);
    await page.locator(`#${late} [data-go=next]`).click();
    const st = await stepState(page, late);
    expect(st.visible).toEqual([2]);
    expect(st.live).toBe(announcement(st));
    // The figure that was already running kept its step.
    expect((await stepState(page, old)).visible).toEqual([2]);
    expect(await page.locator(`#${old}`).getAttribute('tabindex')).toBe('0');
    await page.context().close();
  });

  it('reopens at the step a reload finds in the URL, without moving the reader', async () => {
    const { page } = await open(browser, server.url + DEMO_PAGE, {}, problems);
    const id = site.ids.square;
    // The figure in the middle of the window, the way a reader steps through it.
    await page.evaluate((id) => scrollBy(0, document.getElementById(id)!.getBoundingClientRect().top - 200), id);
    await page.locator(`#${id} [data-go=next]`).click();
    await page.locator(`#${id} [data-go=next]`).click();
    const before = await stepState(page, id);
    expect(before.hash).toBe(`#${id}-step-3`);
    await page.reload({ waitUntil: 'load' });
    await page.waitForTimeout(200);
    const after = await stepState(page, id);
    expect(after.visible).toEqual([3]);
    expect(Math.abs(after.scrollY - before.scrollY)).toBeLessThanOrEqual(2);
    await page.context().close();
  });

  it('logged no console error and requested nothing outside the base path', () => {
    expect(problems).toEqual([]);
    expect(server.missing).toEqual([]);
  });
});
