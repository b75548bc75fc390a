/**
 * The reader-facing checks, written against any built site: the fixture site (stepper.test.ts) and the real Astro
 * build in dist/ (site.test.ts) run the same suite on a page with figures.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, luminance, open, screenshot, type WatchedPage } from './browser.ts';
import type { StaticServer } from './server.ts';

export interface SiteUnderTest {
  server: StaticServer;
  /** Page with at least one figure, relative to the server's base URL. */
  page: string;
  /** Prefix of the screenshot file names. */
  name: string;
  /** Largest acceptable cumulative layout shift while the page loads (0 where the page is all ours). */
  maxLoadShift: number;
}

export interface StepState {
  /** 1-based numbers of the steps a reader can see. */
  visible: number[];
  status: string;
  live: string;
  range: string;
  hash: string;
  scrollY: number;
  svg: string;
  text: string;
  line: string;
  n: number;
  figureBox: { top: number; height: number; width: number };
  /** Where the element after the figure sits (page coordinates): it must never move. */
  nextTop: number;
  disabled: Record<string, string | null>;
}

export const stepState = (page: Page, id: string): Promise<StepState> =>
  page.evaluate((id) => {
    const fig = document.getElementById(id)!;
    const steps = [...fig.querySelectorAll<HTMLElement>('.memtrace-step')];
    const shown = (el: Element) =>
      el.getBoundingClientRect().height > 0 && getComputedStyle(el).visibility !== 'hidden';
    const visible = steps.flatMap((s, i) => (shown(s) ? [i + 1] : []));
    const cur = steps[(visible[0] ?? 1) - 1];
    const box = fig.getBoundingClientRect();
    let next = fig.nextElementSibling;
    while (next && next.tagName === 'SCRIPT') next = next.nextElementSibling;
    return {
      visible,
      status: fig.querySelector('[data-mt=status]')!.textContent!,
      live: fig.querySelector('[data-mt=live]')!.textContent!,
      range: (fig.querySelector('[data-mt=range]') as HTMLInputElement).value,
      hash: location.hash,
      scrollY: scrollY,
      svg: cur.querySelector('.mt-dia svg')!.outerHTML,
      text: cur.querySelector('.memtrace-text pre')!.textContent!,
      line: cur.dataset.line!,
      n: steps.length,
      figureBox: { top: box.top + scrollY, height: box.height, width: box.width },
      nextTop: next ? next.getBoundingClientRect().top + scrollY : NaN,
      disabled: Object.fromEntries(
        [...fig.querySelectorAll<HTMLElement>('[data-go]')].map((b) => [
          b.dataset.go!,
          b.getAttribute('aria-disabled'),
        ]),
      ),
    };
  }, id);

/** Click (or tap) a control even when it is aria-disabled: a reader can, and nothing must happen then. */
export async function press(control: Locator, how: 'click' | 'tap' = 'click'): Promise<void> {
  const force = (await control.getAttribute('aria-disabled')) === 'true';
  await (how === 'tap' ? control.tap({ force }) : control.click({ force }));
}

/** What the live region must say on arriving at a step: its label and its whole text version, the label once. */
export const announcement = (st: StepState): string => {
  const label = `Step ${st.visible[0]} of ${st.n}, line ${st.line}`;
  return st.text.startsWith(label) ? st.text : `${label}. ${st.text}`;
};

export const figureIds = (page: Page): Promise<string[]> =>
  page.$$eval('figure.memtrace', (figs) => figs.map((f) => f.id));

/** Sum of layout shifts since navigation, as Chromium reports them (CLS without the session windows). */
export const layoutShift = (page: Page): Promise<number> =>
  page.evaluate(
    () =>
      new Promise<number>((done) => {
        let sum = 0;
        new PerformanceObserver((list) => {
          for (const e of list.getEntries() as unknown as { value: number; hadRecentInput: boolean }[])
            if (!e.hadRecentInput) sum += e.value;
        }).observe({ type: 'layout-shift', buffered: true });
        setTimeout(() => done(sum), 300);
      }),
  );

export function describeStepper(label: string, site: () => Promise<SiteUnderTest>) {
  describe(label, () => {
    let browser: Browser;
    let s: SiteUnderTest;
    const problems: string[] = [];
    const visit = async (hash = '', options = {}): Promise<WatchedPage & { ids: string[] }> => {
      const w = await open(browser, s.server.url + s.page + hash, options, problems);
      return { ...w, ids: await figureIds(w.page) };
    };
    const fig = (page: Page, id: string) => page.locator(`#${id}`);

    beforeAll(async () => {
      s = await site();
      browser = await launch();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('turns every figure into a stepper showing its start step', async () => {
      const { page, ids } = await visit();
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) {
        await expect.poll(() => page.getAttribute(`#${id}`, 'data-memtrace')).toBe('ready');
        const st = await stepState(page, id);
        expect(st.visible).toHaveLength(1);
        const k = st.visible[0];
        expect(st.status).toBe(`Step ${k} of ${st.n}, line ${st.line}`);
        expect(st.range).toBe(String(k));
        expect(await fig(page, id).locator('.memtrace-controls').isVisible()).toBe(true);
        expect(await fig(page, id).locator('.memtrace-caption').first().isVisible()).toBe(false);
        expect(await fig(page, id).locator('.memtrace-view svg.mt-x[role=img]').count()).toBe(st.n);
      }
      expect(await layoutShift(page)).toBeLessThanOrEqual(s.maxLoadShift);
      await page.context().close();
    });

    it('steps with the buttons: new SVG, announced text, hash, and nothing moves', async () => {
      const { page, ids } = await visit();
      const id = ids[0];
      const f = fig(page, id);
      await press(f.locator('[data-go=first]'));
      const first = await stepState(page, id);
      expect(first.n).toBeGreaterThan(2);
      expect(first.visible).toEqual([1]);
      expect(first.disabled).toEqual({ first: 'true', prev: 'true', next: 'false', last: 'false' });

      await press(f.locator('[data-go=next]'));
      const second = await stepState(page, id);
      expect(second.visible).toEqual([2]);
      expect(second.svg).not.toBe(first.svg);
      expect(second.status).toBe(`Step 2 of ${first.n}, line ${second.line}`);
      expect(second.live).toBe(announcement(second));
      expect(second.live.split(second.status)).toHaveLength(2);
      expect(second.live.endsWith(second.text)).toBe(true);
      expect(second.hash).toBe(`#${id}-step-2`);
      expect(second.scrollY).toBe(first.scrollY);
      expect(second.figureBox).toEqual(first.figureBox);
      expect(second.nextTop).toBe(first.nextTop);

      await press(f.locator('[data-go=last]'));
      const last = await stepState(page, id);
      expect(last.visible).toEqual([first.n]);
      expect(last.live).toBe(announcement(last));
      expect(last.disabled).toEqual({ first: 'false', prev: 'false', next: 'true', last: 'true' });
      await press(f.locator('[data-go=next]'));
      expect((await stepState(page, id)).visible).toEqual([first.n]);
      await press(f.locator('[data-go=prev]'));
      expect((await stepState(page, id)).visible).toEqual([first.n - 1]);
      expect((await stepState(page, id)).hash).toBe(`#${id}-step-${first.n - 1}`);
      await press(f.locator('[data-go=first]'));
      const back = await stepState(page, id);
      expect(back.visible).toEqual([1]);
      expect(back.svg).toBe(first.svg);
      expect(back.nextTop).toBe(first.nextTop);
      await page.context().close();
    });

    it('keeps every step the same size, so the page never jumps', async () => {
      const { page, ids } = await visit();
      for (const id of ids) {
        await press(fig(page, id).locator('[data-go=first]'));
        const boxes = new Set<string>();
        const { n } = await stepState(page, id);
        for (let k = 1; k <= n; k++) {
          const st = await stepState(page, id);
          expect(st.visible).toEqual([k]);
          boxes.add(JSON.stringify([st.figureBox, st.nextTop]));
          await press(fig(page, id).locator('[data-go=next]'));
        }
        expect([...boxes]).toHaveLength(1);
      }
      await page.context().close();
    });

    it('steps with the slider, by keyboard and by pointer', async () => {
      const { page, ids } = await visit();
      const id = ids[0];
      const range = fig(page, id).locator('[data-mt=range]');
      const { n } = await stepState(page, id);
      await range.focus();
      await page.keyboard.press('End');
      let st = await stepState(page, id);
      expect(st.visible).toEqual([n]);
      expect(st.live).toBe(announcement(st));
      await page.keyboard.press('Home');
      expect((await stepState(page, id)).visible).toEqual([1]);
      await page.keyboard.press('ArrowRight');
      st = await stepState(page, id);
      expect(st.visible).toEqual([2]);
      expect(st.live).toBe(announcement(st));
      // A click at the slider's middle lands on a middle step.
      const box = (await range.boundingBox())!;
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      const mid = (await stepState(page, id)).visible[0];
      expect(Math.abs(mid - (n + 1) / 2)).toBeLessThanOrEqual(1);
      expect(await range.getAttribute('aria-valuetext')).toBe((await stepState(page, id)).status);
      await page.context().close();
    });

    it('steps with arrow keys, Home and End when the figure has focus', async () => {
      const { page, ids } = await visit();
      const id = ids[0];
      const f = fig(page, id);
      const { n } = await stepState(page, id);
      await f.focus();
      expect(await page.evaluate((id) => document.activeElement?.id === id, id)).toBe(true);
      await page.keyboard.press('Home');
      expect((await stepState(page, id)).visible).toEqual([1]);
      await page.keyboard.press('ArrowRight');
      const st = await stepState(page, id);
      expect(st.visible).toEqual([2]);
      expect(st.live).toBe(announcement(st));
      await page.keyboard.press('End');
      expect((await stepState(page, id)).visible).toEqual([n]);
      await page.keyboard.press('ArrowLeft');
      expect((await stepState(page, id)).visible).toEqual([n - 1]);
      // From a button, too; modified arrows stay the browser's (Alt+Left is "back").
      await press(f.locator('[data-go=first]'));
      await page.keyboard.press('ArrowRight');
      expect((await stepState(page, id)).visible).toEqual([2]);
      await page.keyboard.press('Shift+ArrowRight');
      expect((await stepState(page, id)).visible).toEqual([2]);
      await page.context().close();
    });

    it('opens a figure at the step its URL names, and keeps the text version open across steps', async () => {
      const first = await visit();
      const id = first.ids[first.ids.length - 1];
      await first.page.context().close();
      const { page } = await visit(`#${id}-step-3`);
      const st = await stepState(page, id);
      expect(st.visible).toEqual([3]);
      // The figure is on screen with its controls: at its top, or pinned to the window's top when the figure is
      // taller than the window and the browser brought the step itself into view.
      const box = (await fig(page, id).boundingBox())!;
      expect(box.y).toBeLessThan(900);
      expect(box.y + box.height).toBeGreaterThan(0);
      const controls = (await fig(page, id).locator('.memtrace-controls').boundingBox())!;
      expect(controls.y).toBeGreaterThanOrEqual(-1);
      expect(controls.y + controls.height).toBeLessThan(900);

      const f = fig(page, id);
      await f.locator('.memtrace-step.is-current summary').click();
      expect(await f.locator('.memtrace-step.is-current details').getAttribute('open')).not.toBeNull();
      await press(f.locator('[data-go=next]'));
      expect((await stepState(page, id)).visible).toEqual([4]);
      expect(await f.locator('.memtrace-step.is-current details').getAttribute('open')).not.toBeNull();
      expect(await f.locator('.memtrace-step.is-current .memtrace-text pre').isVisible()).toBe(true);
      await page.context().close();
    });

    it('steps several figures on one page independently', async () => {
      const { page, ids } = await visit();
      if (ids.length < 2) return void expect(ids.length).toBe(1);
      const [a, b] = ids;
      await press(fig(page, b).locator('[data-go=first]'));
      await press(fig(page, a).locator('[data-go=first]'));
      const before = await stepState(page, b);
      await press(fig(page, a).locator('[data-go=next]'));
      await press(fig(page, a).locator('[data-go=next]'));
      expect((await stepState(page, a)).visible).toEqual([3]);
      const after = await stepState(page, b);
      expect(after.visible).toEqual(before.visible);
      expect(after.live).toBe(before.live);
      await page.context().close();
    });

    it('shows every step, captioned, without JavaScript', async () => {
      const { page, ids } = await visit('', { javaScriptEnabled: false });
      for (const id of ids) {
        const st = await stepState(page, id);
        expect(st.visible).toEqual(Array.from({ length: st.n }, (_, i) => i + 1));
        const f = fig(page, id);
        expect(await f.locator('.memtrace-controls').isVisible()).toBe(false);
        expect(await f.locator('[data-mt=status]').isVisible()).toBe(false);
        const captions = await f.locator('.memtrace-caption').allTextContents();
        const lines = await f
          .locator('.memtrace-step')
          .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.line));
        expect(captions).toEqual(lines.map((l, i) => `Step ${i + 1} of ${st.n}, line ${l}`));
        for (const svg of await f.locator('.memtrace-view svg.mt-x').all()) expect(await svg.isVisible()).toBe(true);
        expect(await f.locator('.memtrace-text pre').count()).toBe(st.n);
      }
      await screenshot(page, `${s.name}-nojs-1280`, fig(page, ids[0]));
      await page.context().close();
    });

    it('prints every step and no controls', async () => {
      const { page, ids } = await visit();
      await page.emulateMedia({ media: 'print' });
      for (const id of ids) {
        const st = await stepState(page, id);
        expect(st.visible).toHaveLength(st.n);
        expect(await fig(page, id).locator('.memtrace-controls').isVisible()).toBe(false);
      }
      await page.context().close();
    });

    it('is dark in dark mode: by media query and by data-theme, and light when the site says light', async () => {
      const { page, ids } = await visit();
      const view = fig(page, ids[0]).locator('.memtrace-step.is-current .memtrace-view svg.mt-x');
      const button = fig(page, ids[0]).locator('[data-go=next]');
      const theme = (t: string | null) =>
        page.evaluate(
          (t) => (t ? (document.documentElement.dataset.theme = t) : delete document.documentElement.dataset.theme),
          t,
        );
      const measure = async () => [await luminance(page, view), await luminance(page, button)];

      await page.emulateMedia({ colorScheme: 'light' });
      const light = await measure();
      expect(light[0]).toBeGreaterThan(0.5);
      expect(light[1]).toBeGreaterThan(0.5);
      await screenshot(page, `${s.name}-light-1280`, fig(page, ids[0]));

      await page.emulateMedia({ colorScheme: 'dark' });
      const dark = await measure();
      expect(dark[0]).toBeLessThan(0.2);
      expect(dark[1]).toBeLessThan(0.2);
      await screenshot(page, `${s.name}-dark-1280`, fig(page, ids[0]));

      await theme('light');
      expect((await measure())[0]).toBeGreaterThan(0.5);

      await page.emulateMedia({ colorScheme: 'light' });
      await theme('dark');
      const byAttribute = await measure();
      expect(byAttribute[0]).toBeLessThan(0.2);
      expect(byAttribute[1]).toBeLessThan(0.2);
      await theme(null);
      await page.context().close();
    });

    it('draws what every step shares (the column headers: one <use> per step) in either theme', async () => {
      // No colour transition between the two themes: each measure sees the settled picture.
      const { page, ids } = await visit('', { reducedMotion: 'reduce' });
      for (const id of ids) {
        const use = fig(page, id).locator(`.memtrace-step.is-current .memtrace-view svg use[href="#${id}-b"]`);
        expect(await use.count()).toBe(1);
        await fig(page, id).locator('.memtrace-step.is-current .memtrace-view').scrollIntoViewIfNeeded();
        // The "Frames" header at least (the code is HTML text beside the diagram).
        const box = (await use.boundingBox())!;
        expect(box.width).toBeGreaterThan(30);
        expect(box.height).toBeGreaterThan(8);
        for (const scheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme: scheme });
          const drawn = await luminance(page, box);
          await use.evaluate((u) => u.setAttribute('visibility', 'hidden'));
          const bare = await luminance(page, box);
          await use.evaluate((u) => u.removeAttribute('visibility'));
          // Text is dark on light and light on dark: drawing it moves the region's luminance that way.
          if (scheme === 'light') expect(drawn).toBeLessThan(bare * 0.98);
          else expect(drawn).toBeGreaterThan(bare * 1.2);
        }
      }
      await page.context().close();
    });

    it('has no transitions, whether or not the reader prefers reduced motion', async () => {
      // The figure moves nothing: stepping swaps steps in place, and the controls do not animate their hover.
      const { page, ids } = await visit('', { reducedMotion: 'reduce' });
      const duration = () =>
        fig(page, ids[0])
          .locator('[data-go=next]')
          .evaluate((b) => getComputedStyle(b).transitionDuration);
      expect(await duration()).toBe('0s');
      await page.emulateMedia({ reducedMotion: 'no-preference' });
      expect(await duration()).toBe('0s');
      await page.context().close();
    });

    it('fits a 360 px phone: no page overflow, tappable controls, stepping by touch', async () => {
      const { page, ids } = await visit('', {
        viewport: { width: 360, height: 740 },
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
      });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      const f = fig(page, ids[0]);
      for (const control of await f.locator('.memtrace-controls button, .memtrace-controls input').all()) {
        const box = (await control.boundingBox())!;
        expect(box.width).toBeGreaterThanOrEqual(32);
        expect(box.height).toBeGreaterThanOrEqual(32);
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(360);
      }
      const svg = (await f.locator('.memtrace-step.is-current .mt-dia').boundingBox())!;
      expect(svg.height).toBeGreaterThan(50);
      await press(f.locator('[data-go=first]'), 'tap');
      await press(f.locator('[data-go=next]'), 'tap');
      expect((await stepState(page, ids[0])).visible).toEqual([2]);
      await press(f.locator('[data-go=first]'), 'tap');
      await screenshot(page, `${s.name}-light-360`, fig(page, ids[0]));
      await page.emulateMedia({ colorScheme: 'dark' });
      await screenshot(page, `${s.name}-dark-360`, fig(page, ids[0]));
      await page.context().close();
    });

    it('logged no console error and requested nothing missing', () => {
      expect(problems).toEqual([]);
      expect(s.server.missing).toEqual([]);
    });
  });
}
