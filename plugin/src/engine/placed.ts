/**
 * Figures as placed on their pages, kept on disk beside the figure cache. A warm build then reads a block's HTML as
 * it goes on the page and copies its step pages, instead of reading the figure's trees, prefixing their ids and
 * writing them out again: that was most of what a warm build of a big site spent in memtrace. The HTML is a function
 * of the figure (its cache key), its place on the page and the host's asset URLs, so those make the key.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCache } from './cache.ts';

/** A figure's HTML as placed, and what goes with it. */
export interface PlacedFigure {
  html: string;
  /** File names of the step pages the HTML links (figure/windows.ts). */
  pages: string[];
  /** Said in the build log each time the block is used. */
  warnings: string[];
}

/** Placed figures, and the step pages they link, in `dir`. */
export interface PlacedStore {
  /** The placed figure of `key`, if it and every step page it links are kept. */
  get(key: string): PlacedFigure | undefined;
  /** Keeps a placed figure and its step pages (file name and HTML). */
  set(key: string, figure: Omit<PlacedFigure, 'pages'>, pages: [string, string][]): void;
  /** Where a step page kept by {@link PlacedStore.set} is. */
  pagePath(fileName: string): string;
}

/** Writes then renames, so that a build killed mid-write never leaves a truncated file behind. */
function writeWhole(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export function placedStore(dir: string): PlacedStore {
  const figures = createCache<PlacedFigure>(join(dir, 'placed'));
  const pagesDir = join(dir, 'step-pages');
  const pagePath = (fileName: string) => join(pagesDir, fileName);
  return {
    get(key) {
      const figure = figures.get(key);
      return figure?.pages.every((p) => existsSync(pagePath(p))) ? figure : undefined;
    },
    set(key, figure, pages) {
      if (pages.length > 0) mkdirSync(pagesDir, { recursive: true });
      // A step page's name is a hash of its content: one already kept is the same page.
      for (const [name, html] of pages) if (!existsSync(pagePath(name))) writeWhole(pagePath(name), html);
      figures.set(key, { ...figure, pages: pages.map(([name]) => name) });
    },
    pagePath,
  };
}
