/**
 * What every host's example site must do in Chromium, whatever builds it: figures that step by button and key, a
 * figure reached by a client-side link that steps too, the host's own theme switch turning the figure dark, and no
 * console error on the way (React's and Vue's hydration mismatches are console errors).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launch, luminance, open, screenshot } from '../e2e/browser.ts';
import { serveStatic, type StaticServer } from '../e2e/server.ts';

export const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

/** Runs a host's own CLI from its example folder; a host whose packages are not installed fails, never skips. */
export function runHost(example: string, bin: string, args: string[], env: Record<string, string> = {}) {
  const cli = `${example}/node_modules/.bin/${bin}`;
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm install\` in ${example}`);
  const run = spawnSync(cli, args, {
    cwd: example,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 900_000,
  });
  return { status: run.status, log: stripAnsi(`${run.stdout}\n${run.stderr}\n${run.error ?? ''}`) };
}

export interface HostSite {
  name: string;
  /** The built site's folder and whether it built. */
  out: string;
  build: { status: number | null; log: string };
  /** Page with the seed figure, relative to the site root, and the in-content link from it to the second page. */
  first: string;
  linkToSecond: string;
  /** Whether the second page's address is showing. */
  onSecond: (url: string) => boolean;
  /** Clicks the host's theme switch until the page is dark; returns what says so on <html>. */
  switchToDark(page: Page): Promise<string>;
}

const statusOf = (figure: Locator) => figure.locator('[data-mt=status]');

async function stepsThrough(figure: Locator): Promise<void> {
  // The stepper is loaded once the host has rendered the page (after hydration): give a loaded machine time.
  await expect.poll(() => figure.getAttribute('data-memtrace'), { timeout: 20_000 }).toBe('ready');
  const total = await figure.locator('.memtrace-step').count();
  expect(total).toBeGreaterThan(3);
  const status = statusOf(figure);
  await expect.poll(() => status.textContent()).toMatch(new RegExp(`^Step 1 of ${total}, line \\d+$`));
  await figure.locator('[data-go=next]').click();
  await expect.poll(() => status.textContent()).toMatch(new RegExp(`^Step 2 of ${total}, line \\d+$`));
  await figure.press('End');
  await expect.poll(() => status.textContent()).toMatch(new RegExp(`^Step ${total} of ${total}, line \\d+$`));
  await figure.press('ArrowLeft');
  await expect.poll(() => status.textContent()).toMatch(new RegExp(`^Step ${total - 1} of ${total}, line \\d+$`));
  expect(await figure.locator('.memtrace-step:visible').count()).toBe(1);
}

/** The browser checks of one host's built example (call inside a describe). */
export function siteInChromium(site: HostSite): void {
  let browser: Browser;
  let server: StaticServer;
  const problems: string[] = [];

  beforeAll(async () => {
    if (site.build.status !== 0)
      throw new Error(`the ${site.name} example did not build:\n${site.build.log.slice(-4000)}`);
    server = await serveStatic(site.out);
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('steps through the seed figure by button and key', async () => {
    const { page } = await open(browser, server.url + site.first, { colorScheme: 'light' }, problems);
    await stepsThrough(page.locator('figure.memtrace').first());
    expect(problems).toEqual([]);
    expect(server.missing).toEqual([]);
    await page.context().close();
  });

  it('steps through a figure reached by a client-side link', async () => {
    const { page } = await open(browser, server.url + site.first, { colorScheme: 'light' }, problems);
    await expect
      .poll(() => page.locator('figure.memtrace').first().getAttribute('data-memtrace'), { timeout: 20_000 })
      .toBe('ready');
    // A mark on the window survives only a navigation that keeps the document: the host's router, not a page load.
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    const before = await page.$$eval('figure.memtrace', (figs) => figs.map((f) => f.id));
    await page.locator(site.linkToSecond).first().click();
    await expect.poll(() => site.onSecond(page.url())).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    // The router changes the address before it swaps the content: wait until the first page's figures are gone.
    const figure = page.locator('figure.memtrace').first();
    await expect
      .poll(async () => before.includes((await figure.getAttribute('id')) ?? ''), { timeout: 20_000 })
      .toBe(false);
    await stepsThrough(figure);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("turns the figure dark with the host's theme switch", async () => {
    const { page } = await open(browser, server.url + site.first, { colorScheme: 'light' }, problems);
    const figure = page.locator('figure.memtrace').first();
    await figure.scrollIntoViewIfNeeded();
    await figure.locator('[data-go=last]').click();
    // The diagram of whichever arrangement the host's column shows (side by side, or stacked in a narrow one).
    const svg = figure.locator('.memtrace-step.is-current .mt-dia > svg:visible').first();
    const light = await luminance(page, svg);
    await screenshot(page, `${site.name}-light`, figure);
    const mark = await site.switchToDark(page);
    expect(mark).toBeTruthy();
    await expect.poll(async () => (await luminance(page, svg)) < light / 4, { timeout: 10_000 }).toBe(true);
    await screenshot(page, `${site.name}-dark`, figure);
    expect(problems).toEqual([]);
    await page.context().close();
  });
}
