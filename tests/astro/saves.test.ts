/**
 * How memtrace follows the dev server's saves (adapters/astro-saves.ts), on a real file and an event emitter that
 * stands for Vite's watcher, with a loader that behaves as Astro's glob loader does: a change reads the file,
 * renders it for a while, then stores the entry; a deletion drops the entry at once.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SETTLE_MS, type WatcherLike, watchSaves } from '../../plugin/src/adapters/astro-saves.ts';
import { fileWork } from '../../plugin/src/engine/in-flight.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A watcher followed by memtrace, a glob-like loader whose renders take `renderMs`, and the flushes asked for. */
function setup(renderMs: number) {
  const dir = mkdtempSync(join(tmpdir(), 'mt-saves-'));
  dirs.push(dir);
  const file = join(dir, 'lesson.md');
  const watcher = new EventEmitter() as EventEmitter & WatcherLike;
  const store = new Map<string, string>();
  /** Per flush asked for: whether the store held the file's entry then (what Astro would write). */
  const flushes: boolean[] = [];
  watchSaves(watcher, (f) => flushes.push(store.has(f)));
  let renders = 0;
  watcher.on('change', async (path: string) => {
    renders++;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return;
    }
    await sleep(renderMs);
    store.set(path, text);
  });
  watcher.on('unlink', async (path: string) => {
    store.delete(path);
  });
  return { file, watcher, store, flushes, renders: () => renders };
}

/** Saves the file, then deletes it 50 ms later, each reported as the watcher would. */
async function saveThenDelete(watcher: ReturnType<typeof setup>['watcher'], file: string): Promise<void> {
  writeFileSync(file, '# one');
  watcher.emit('change', file);
  await sleep(50);
  rmSync(file);
  watcher.emit('unlink', file);
}

describe('following the saves of a Markdown file', () => {
  it('drops the entry of a file deleted while it was being rendered', async () => {
    const { file, watcher, store, flushes } = setup(200);
    await saveThenDelete(watcher, file);
    await sleep(200 + SETTLE_MS + 200);
    expect(store.has(file)).toBe(false);
    // The store is written once the deletion has been reported again.
    expect(flushes.at(-1)).toBe(false);
  });

  it('renders a save once more when it has settled, and keeps the entry', async () => {
    const { file, watcher, store, renders } = setup(20);
    writeFileSync(file, '');
    watcher.emit('change', file);
    writeFileSync(file, '# whole');
    await sleep(20 + SETTLE_MS + 200);
    expect(renders()).toBe(2);
    expect(store.get(file)).toBe('# whole');
  });

  it('reports nothing more for a file deleted after its render', async () => {
    const { file, watcher, store, renders } = setup(10);
    await saveThenDelete(watcher, file);
    await sleep(SETTLE_MS + 200);
    expect(store.has(file)).toBe(false);
    expect(renders()).toBe(1);
  });
});

describe('following the saves of a page', () => {
  /**
   * A page as Vite serves it: a change only marks it stale, and the next request renders it (memtrace's work, which
   * no watcher listener follows); the render that ends last is what is served.
   */
  function page() {
    const dir = mkdtempSync(join(tmpdir(), 'mt-page-'));
    dirs.push(dir);
    const file = join(dir, 'post.md');
    const watcher = new EventEmitter() as EventEmitter & WatcherLike;
    const work = fileWork();
    watchSaves(watcher, undefined, work.settled);
    let served = '';
    const render = (ms: number) =>
      work.track(file, async () => {
        const text = readFileSync(file, 'utf8');
        await sleep(ms);
        served = text;
      });
    // A request comes soon after each change.
    watcher.on('change', () => void render(20));
    return { file, watcher, render, served: () => served };
  }

  it('serves the last save when a render of an older one ends after it', async () => {
    const { file, watcher, render, served } = page();
    writeFileSync(file, 'square(11)');
    const slow = render(SETTLE_MS + 300);
    writeFileSync(file, 'square(12)');
    watcher.emit('change', file);
    await slow;
    expect(served()).toBe('square(11)');
    await sleep(SETTLE_MS + 200);
    expect(served()).toBe('square(12)');
  });
});
