/**
 * Figures as placed on their pages, kept on disk beside the figure cache. A warm build then reads a block's HTML as
 * it goes on the page and copies its step pages, instead of reading the figure's trees, prefixing their ids and
 * writing them out again: that was most of what a warm build of a big site spent in memtrace. The HTML is a function
 * of the figure (its cache key), its place on the page and the host's asset URLs, so those make the key.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createCache, touch } from './cache.ts';

/** What goes with a placed figure's HTML. */
export interface PlacedFigure {
  /** File names of the step pages the HTML links (figure/windows.ts). */
  pages: string[];
  /** Said in the build log each time the block is used. */
  warnings: string[];
}

/** Placed figures, and the step pages they link, in `dir`. */
export interface PlacedStore {
  /** What goes with the placed figure of `key`, if it, its HTML and every step page it links are kept. */
  get(key: string): PlacedFigure | undefined;
  /** The HTML of the placed figure of `key`. */
  html(key: string): string | undefined;
  /** Keeps a placed figure, its HTML and its step pages (file name and HTML). */
  set(key: string, figure: { html: string; warnings: string[] }, pages: [string, Uint8Array][]): void;
  /** Where a step page kept by {@link PlacedStore.set} is. */
  pagePath(fileName: string): string;
}

/** Writes then renames, so that a build killed mid-write never leaves a truncated file behind. */
function writeWhole(file: string, data: string | Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

/**
 * The HTML is kept as a file of its own, not in the JSON: a build that gives placeholders reads it once, when it
 * fills them, and reading it raw skips unescaping hundreds of kB of JSON string.
 */
export function placedStore(dir: string): PlacedStore {
  const figures = createCache<PlacedFigure>(join(dir, 'placed'));
  const htmlPath = (key: string) => join(dir, 'placed', key.slice(0, 2), `${key}.html`);
  const pagePath = (fileName: string) => join(dir, 'step-pages', fileName);
  return {
    get(key) {
      const figure = figures.get(key);
      const whole = figure?.pages.every((p) => existsSync(pagePath(p))) && existsSync(htmlPath(key));
      if (!figure || !whole) return undefined;
      // Used now (see pruneCache): the JSON is touched as it is read, the files it names are touched here.
      for (const p of figure.pages) touch(pagePath(p));
      touch(htmlPath(key));
      return figure;
    },
    html(key) {
      try {
        return readFileSync(htmlPath(key), 'utf8');
      } catch {
        return undefined;
      }
    },
    set(key, { html, warnings }, pages) {
      // A step page's name is a hash of its content: one already kept is the same page.
      for (const [name, page] of pages) if (!existsSync(pagePath(name))) writeWhole(pagePath(name), page);
      writeWhole(htmlPath(key), html);
      // Last: an entry is read only with everything it names in place.
      figures.set(key, { pages: pages.map(([name]) => name), warnings });
    },
    pagePath,
  };
}
