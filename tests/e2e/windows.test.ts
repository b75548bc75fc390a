/**
 * A long figure in real Chromium: a program that runs into the step cap, drawn as the engine draws it and windowed
 * as the Astro integration windows it (figure/windows.ts). The page must stay light when it loads, and every step
 * must stay reachable: by stepping (the stepper fetches the rest), by a link to a step, without JavaScript (the
 * step page), in the text version and in print.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WINDOW } from '../../plugin/src/figure/windows.ts';
import { launch, open, screenshot } from './browser.ts';
import { buildLongFigureSite, LONG_PAGE, type LongFigureSite } from './fixture-site.ts';
import { serveStatic, type StaticServer } from './server.ts';

let site: LongFigureSite;
let server: StaticServer;
let browser: Browser;
const problems: string[] = [];

beforeAll(async () => {
  site = await buildLongFigureSite();
  server = await serveStatic(site.root, site.base);
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** What the reader sees of the figure: the number of the shown step (from its id) and the counter. */
const shown = (page: Page, id: string) =>
  page.evaluate((id) => {
    const fig = document.getElementById(id)!;
    const visible = [...fig.querySelectorAll<HTMLElement>('.memtrace-step')].filter(
      // Hidden steps keep their place in the figure's grid cell: they are invisible, not gone.
      (s) => s.getBoundingClientRect().height > 0 && getComputedStyle(s).visibility !== 'hidden',
    );
    return {
      steps: visible.map((s) => Number(s.id.slice(`${id}-step-`.length))),
      status: fig.querySelector('[data-mt=status]')!.textContent!,
      inDom: fig.querySelectorAll('.memtrace-step').length,
      text: visible[0]?.querySelector('.memtrace-text pre')?.textContent ?? '',
    };
  }, id);

describe('a windowed long figure', () => {
  it('has all the steps of the program, more than the window', () => {
    expect(site.steps).toBeGreaterThan(WINDOW.min * 3);
  });

  it('loads light: at most 300 KB of HTML and 3,000 elements, with only the window inlined', async () => {
    const html = readFileSync(join(site.root, LONG_PAGE, 'index.html'));
    expect(html.length).toBeLessThanOrEqual(300_000);
    const { page } = await open(browser, server.url + LONG_PAGE, {}, problems);
    const elements = await page.evaluate(() => document.getElementsByTagName('*').length);
    expect(elements).toBeLessThanOrEqual(3000);
    expect((await shown(page, site.id)).inDom).toBe(WINDOW.first);
    await page.context().close();
  });

  it('steps past the window: the last step, then back to one it had not inlined', async () => {
    const { page } = await open(browser, server.url + LONG_PAGE, {}, problems);
    await page.locator(`#${site.id} [data-go=last]`).click();
    // The stepper fetches the step page (every step) first: allow for a slow machine.
    await expect.poll(async () => (await shown(page, site.id)).steps, { timeout: 60_000 }).toEqual([site.steps]);
    const last = await shown(page, site.id);
    expect(last.status).toMatch(new RegExp(`^Step ${site.steps} of ${site.steps}, line \\d+$`));
    expect(last.inDom).toBe(site.steps);
    expect(last.text).toContain('tick');
    await page.locator(`#${site.id} [data-go=prev]`).click();
    expect((await shown(page, site.id)).steps).toEqual([site.steps - 1]);
    await screenshot(page, 'windowed-last', page.locator(`#${site.id}`));
    await page.context().close();
  });

  it('opens at a step outside the window when the address names it', async () => {
    const k = Math.floor(site.steps / 2);
    const { page } = await open(browser, `${server.url}${LONG_PAGE}#${site.id}-step-${k}`, {}, problems);
    await expect.poll(async () => (await shown(page, site.id)).steps, { timeout: 60_000 }).toEqual([k]);
    expect((await shown(page, site.id)).status).toMatch(new RegExp(`^Step ${k} of ${site.steps},`));
    await page.context().close();
  });

  it('without JavaScript, links a page that lists every step', async () => {
    const { page } = await open(browser, server.url + LONG_PAGE, { javaScriptEnabled: false }, problems);
    // The step page is a page of its own, without the host's icon link: the test server has no /favicon.ico.
    await page.route('**/favicon.ico', (route) => route.fulfill({ status: 204 }));
    const link = page.locator(`#${site.id} .memtrace-more a`);
    expect(await link.isVisible()).toBe(true);
    expect(await link.textContent()).toBe(`All ${site.steps} steps on one page`);
    await link.click();
    await page.waitForLoadState('load');
    const steps = await page.locator('.memtrace-step').count();
    expect(steps).toBe(site.steps);
    // Read as a list, every step and its text version are on the page.
    expect(
      await page
        .locator('.memtrace-step')
        .nth(site.steps - 1)
        .isVisible(),
    ).toBe(true);
    expect(await page.locator('.memtrace-text').count()).toBe(site.steps);
    await page.context().close();
  });

  it('prints the inlined steps and where the others are', async () => {
    const { page } = await open(browser, server.url + LONG_PAGE, {}, problems);
    await page.emulateMedia({ media: 'print' });
    const printed = await shown(page, site.id);
    expect(printed.steps).toEqual(Array.from({ length: WINDOW.first }, (_, i) => i + 1));
    expect(await page.locator(`#${site.id} .memtrace-more a`).isVisible()).toBe(true);
    await page.context().close();
  });

  it('saw no errors, failed requests or missing files', () => {
    expect(problems).toEqual([]);
  });
});
