/**
 * Notes in real Chromium: the author's `#:` notes under the diagram, changing with the step, announced, carried
 * (dimmed) over the steps that have none, never moving the page; and every step's note without JavaScript and in print.
 * The figure is the fixture site's narrated loop (fixture-site.ts PROGRAMS.narrated).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, open, screenshot } from './browser.ts';
import { buildFixtureSite, NOTES_PAGE, type FixtureSite } from './fixture-site.ts';
import { serveStatic, type StaticServer } from './server.ts';
import { press, stepState } from './suite.ts';

// The notes as the reader reads them: the program's `#:` text without its Markdown.
const FIRST = 'Nothing has run yet.';
const LIST = 'prices names a new list.';
const PASS = 'One more pass: total now counts p too';
const END = 'The loop is done; p still names the last item.';

let site: FixtureSite;
let server: StaticServer;
let browser: Browser;
const problems: string[] = [];

beforeAll(async () => {
  site = await buildFixtureSite();
  server = await serveStatic(site.root, site.base);
  browser = await launch();
}, 600_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Per step of the figure: the note a reader sees (text, dimmed or not, where) and where the page goes on. */
const noteState = (page: Page, id: string) =>
  page.evaluate((id) => {
    const fig = document.getElementById(id)!;
    const seen = (el: Element) => el.getBoundingClientRect().height > 0 && getComputedStyle(el).visibility !== 'hidden';
    const steps = [...fig.querySelectorAll<HTMLElement>('.memtrace-step')];
    return steps.map((s) => {
      const note = s.querySelector('.memtrace-narration');
      const svg = s.querySelector('svg[role=img]')!.getBoundingClientRect();
      const box = note?.getBoundingClientRect();
      return {
        shown: seen(s),
        note: note && seen(note) ? note.textContent!.replace(/\s+/g, ' ') : undefined,
        carried: !!note?.classList.contains('is-carried'),
        color: note ? getComputedStyle(note).color : undefined,
        underDiagram: box ? box.top >= svg.bottom - 1 && box.top - svg.bottom < 80 : undefined,
      };
    });
  }, id);

const where = (page: Page) =>
  page.evaluate(() => ({ after: document.getElementById('after-narrated')!.getBoundingClientRect().top + scrollY }));

describe('notes while stepping', () => {
  it.each([
    ['wide', 1280],
    ['phone', 375],
  ])(
    'shows each step its note under the diagram, carried ones dimmed, announced, never moving the page (%s)',
    async (name, width) => {
      const { page } = await open(browser, server.url + NOTES_PAGE, { viewport: { width, height: 900 } }, problems);
      const id = site.ids.narrated;
      const next = page.locator(`#${id} [data-go=next]`);
      const first = await stepState(page, id);
      const start = await where(page);
      const figureHeight = first.figureBox.height;
      const seen: { note?: string; carried: boolean; live: string }[] = [];
      for (let k = 1; k <= first.n; k++) {
        if (k > 1) await press(next);
        const st = await stepState(page, id);
        expect(st.visible).toEqual([k]);
        const notes = await noteState(page, id);
        const cur = notes[k - 1]!;
        // Only the current step's note is seen, and it sits right under the diagram.
        expect(notes.filter((s) => s.note !== undefined)).toHaveLength(cur.note === undefined ? 0 : 1);
        if (cur.note !== undefined) expect(cur.underDiagram).toBe(true);
        seen.push({ note: cur.note, carried: cur.carried, live: st.live });
        // Nothing moves: the figure keeps the height of its tallest step, note included.
        expect((await stepState(page, id)).figureBox.height).toBe(figureHeight);
        expect(await where(page)).toEqual(start);
      }
      expect(seen[0]).toMatchObject({ note: FIRST, carried: false });
      expect(seen[1]).toMatchObject({ note: LIST, carried: false });
      expect(seen[1]!.live).toContain(LIST);
      // `total = 0` has no note: the list's note stays, dimmed, and is not announced again.
      expect(seen[2]).toMatchObject({ note: LIST, carried: true });
      expect(seen[2]!.live).not.toContain(LIST);
      const own = seen.filter((s) => s.note?.startsWith(PASS) && !s.carried);
      expect(own).toHaveLength(3);
      for (const s of own) expect(s.live).toContain(PASS);
      expect(seen.at(-1)).toMatchObject({ note: END, carried: false });
      expect(seen.at(-1)!.live).toContain(END);
      // Every step shows a note once the first one is there.
      expect(seen.every((s) => s.note !== undefined)).toBe(true);

      // Dimmed: a carried note is drawn in another colour than the same note on its own step.
      const notes = await noteState(page, id);
      expect(notes[2]!.color).not.toBe(notes[1]!.color);
      await press(page.locator(`#${id} [data-go=first]`));
      await press(next);
      await press(next);
      await screenshot(page, `notes-${name}-carried`, page.locator(`#${id}`));
      expect(problems).toEqual([]);
      await page.context().close();
    },
  );
});

describe('notes as a list', () => {
  const ownNotes = async (page: Page) => {
    const notes = await noteState(page, site.ids.narrated);
    expect(notes.every((s) => s.shown)).toBe(true);
    return notes.flatMap((s, i) =>
      s.note === undefined ? [] : [{ step: i + 1, note: s.note, carried: s.carried, under: s.underDiagram }],
    );
  };

  it('shows every step with its own note without JavaScript, each once', async () => {
    const { page } = await open(browser, server.url + NOTES_PAGE, { javaScriptEnabled: false }, problems);
    const shown = await ownNotes(page);
    expect(shown.map((s) => s.note)).toEqual([
      FIRST,
      LIST,
      ...shown.slice(2, -1).map(() => expect.stringContaining(PASS)),
      END,
    ]);
    expect(shown).toHaveLength(6);
    expect(shown.every((s) => !s.carried && s.under)).toBe(true);
    await screenshot(page, 'notes-nojs', page.locator(`#${site.ids.narrated}`));
    await page.context().close();
  });

  it('prints every step with its own note', async () => {
    const { page } = await open(browser, server.url + NOTES_PAGE, {}, problems);
    await press(page.locator(`#${site.ids.narrated} [data-go=next]`));
    await page.emulateMedia({ media: 'print' });
    const shown = await ownNotes(page);
    expect(shown.map((s) => s.note)).toEqual([
      FIRST,
      LIST,
      ...shown.slice(2, -1).map(() => expect.stringContaining(PASS)),
      END,
    ]);
    expect(shown.every((s) => !s.carried)).toBe(true);
    await page.context().close();
  });
});
