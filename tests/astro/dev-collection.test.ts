/**
 * `astro dev` on a content collection: Astro's content layer renders a saved entry into its data store, which memtrace
 * has written as soon as the entry is rendered (see adapters/astro-saves.ts). Saving prose or a block updates the
 * page; an error is shown, then fixed without a restart; quick saves and a save caught mid-write end on the last
 * version; a deleted entry's page goes. And the content store is never cleared and re-rendered whole by it.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasFigure, startDevServer, type DevServer } from './dev-server.ts';

let server: DevServer;
let lesson: string;
let original: string;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = (ok: (html: string, status: number) => boolean, what: string) => server.until('/lesson/', ok, what);
/** The lesson with `x = [n]` in its block and a line of prose naming `words`. */
const version = (n: number, words = 'A lesson') =>
  original.replace('x = [1]', `x = [${n}]`).replace('# A lesson', `# A lesson\n\n${words}.`);
/** A list item of the figure shows the value traced (the only number above 100 on the page). */
const shows = (html: string, n: number) => hasFigure(html) && html.includes(`>${n}<`);

beforeAll(async () => {
  server = startDevServer('collection', 'dev-collection');
  lesson = join(server.site, 'content/lesson.md');
  original = readFileSync(lesson, 'utf8');
  await until((html) => hasFigure(html), 'the first figure');
});

afterAll(() => server?.stop());

describe('astro dev, a content collection', () => {
  it('updates the page when prose is saved, and when the block is', async () => {
    writeFileSync(lesson, version(1, 'Prose saved'));
    await until((h) => h.includes('Prose saved.') && hasFigure(h), 'the saved prose');
    writeFileSync(lesson, version(101, 'Block saved'));
    const html = await until((h) => h.includes('Block saved.') && shows(h, 101), 'the figure of the saved block');
    expect(html).not.toContain('memtrace-slot');
  });

  it('shows an error panel for a broken block, then the figure once it is fixed, with no restart', async () => {
    writeFileSync(lesson, version(102).replace('x = [102]', 'x = [102'));
    const broken = await until((h) => h.includes('memtrace-error'), 'the error panel');
    expect(broken).toMatch(/SyntaxError/);
    writeFileSync(lesson, version(103));
    await until((h) => shows(h, 103), 'the figure of the fixed block');
    expect(server.alive()).toBe(true);
  });

  it('shows only the last of two quick saves', async () => {
    writeFileSync(lesson, version(111, 'First save'));
    await sleep(20);
    writeFileSync(lesson, version(112, 'Second save'));
    await until((h) => h.includes('Second save.') && shows(h, 112), 'the second save');
    // Whatever was still rendered or traced for the first save must not come back in its place.
    await sleep(3000);
    const html = (await server.fetchPage('/lesson/')).html;
    expect(html).toContain('Second save.');
    expect(shows(html, 112)).toBe(true);
    expect(html).not.toContain('First save.');
    expect(html).not.toContain('>111<');
  });

  it('survives a save caught mid-write (an empty file, then the full one)', async () => {
    writeFileSync(lesson, '');
    await sleep(300);
    writeFileSync(lesson, version(121, 'Written whole'));
    await until((h) => h.includes('Written whole.') && shows(h, 121), 'the full save');
    expect(server.alive()).toBe(true);
  });

  it('drops the page of a deleted entry and keeps serving', async () => {
    rmSync(lesson);
    await until((_, status) => status === 404, 'the deleted entry to be gone');
    expect(server.alive()).toBe(true);
  });

  it('never clears the content store, and writing it early never failed', () => {
    expect(server.log()).not.toMatch(/Clearing content store|could not write the content store early/);
  });
});
