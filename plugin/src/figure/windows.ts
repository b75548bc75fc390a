/**
 * Long figures on a page: a figure of many steps inlines only a window of them (the first ones and the start step's
 * neighbourhood), with only the shared definitions those use, and puts every step in a static page of its own, with a content-hashed name. The figure links to
 * that page (a reader without JavaScript reaches every step there) and names it in `data-more`, from which the
 * stepper fetches the steps the page lacks before it shows one. So a page weighs the same whether its program ran
 * 40 steps or 1000.
 *
 * Only hosts that can write files use it (the Astro integration writes the pages at build:done, as it does the
 * client assets); elsewhere every step stays inline.
 */
import { createHash } from 'node:crypto';
import {
  h,
  htmlBytes,
  htmlParts,
  htmlUtf8,
  type Element,
  type ElementContent,
  type Root,
  type Written,
} from './hast.ts';
import { rawValue, referencedInRaw } from './packed.ts';

/**
 * The figure of `tree` as a page holds it, and its HTML: windowed when it has too many steps or too many bytes (see
 * {@link WINDOW}); whole without `pages`.
 */
export function pageFigure(tree: Root, pages: StepPages | undefined): { tree: Root; html: string } {
  if (!pages) return { tree, html: htmlBytes(tree) };
  // Each step is written once, whether it goes in the page, the step page or both.
  const written: Written = new WeakMap();
  for (const step of stepList(tree)?.steps ?? []) written.set(step, htmlParts(step, written));
  const windowed = windowFigure(tree, pages, undefined, written);
  const html = htmlBytes(windowed, written);
  if (windowed !== tree || html.length <= WINDOW.bytes) return { tree: windowed, html };
  const light = windowFigure(tree, pages, WINDOW.bytes / html.length, written);
  return light === tree ? { tree, html } : { tree: light, html: htmlBytes(light, written) };
}

/** Where a host puts the step pages. */
export interface StepPages {
  /** The URL a page will be served at, from its file name. */
  url(fileName: string): string;
  /** Keeps a page to write or serve: its HTML, as UTF-8. */
  add(fileName: string, html: Uint8Array): void;
  /**
   * Keeps a page already written to a file (by the build cache), to copy or serve from there; absent, the page is
   * read and given to `add`.
   */
  addFile?(fileName: string, path: string): void;
  /** URL of the stylesheet the page links. */
  style: string;
}

/**
 * A figure of more than `min` steps, or whose HTML is over `bytes`, inlines the first `first` steps and `around` each
 * side of the start step. Figures up to `min` steps and `bytes` (the lessons' longest have about 90 steps, and a
 * step of a big diagram is 5 to 10 kB) stay whole, which printing and reading without JavaScript prefer; past them, a
 * figure costs its page about what `first` steps cost.
 */
export const WINDOW = { min: 100, bytes: 160 * 1024, first: 20, around: 3 } as const;

const hasClass = (node: ElementContent | undefined, name: string): node is Element =>
  node?.type === 'element' && Array.isArray(node.properties.className) && node.properties.className.includes(name);

/** Indices of the steps a page inlines, out of `n`, with `start` the step shown first and `first` the steps up front. */
export function windowSteps(n: number, start: number, first: number = WINDOW.first): Set<number> {
  const keep = new Set<number>();
  for (let i = 0; i < Math.min(n, first); i++) keep.add(i);
  for (let i = Math.max(0, start - WINDOW.around); i <= Math.min(n - 1, start + WINDOW.around); i++) keep.add(i);
  return keep;
}

/** The ids a subtree points at: `href="#id"`, `url(#id)`. */
function referencedIds(node: ElementContent | Element, into: Set<string>): void {
  const bytes = rawValue(node);
  if (bytes !== undefined) referencedInRaw(bytes, into);
  if (node.type !== 'element') return;
  for (const value of Object.values(node.properties)) {
    if (typeof value === 'string' && value.includes('#')) for (const m of value.matchAll(/#([\w-]+)/g)) into.add(m[1]!);
  }
  for (const c of node.children) referencedIds(c, into);
}

/**
 * The shared definitions (the `memtrace-defs` SVG) cut down to what the inlined steps use, directly or through
 * other definitions: those of the other steps come with the step page.
 */
function prunedDefs(defs: Element, steps: Element[]): Element {
  const inner = defs.children.find((c): c is Element => c.type === 'element' && c.tagName === 'defs');
  if (!inner) return defs;
  const byId = new Map(
    inner.children.flatMap((c) =>
      c.type === 'element' && typeof c.properties.id === 'string' ? [[c.properties.id, c] as const] : [],
    ),
  );
  const used = new Set<string>();
  for (const s of steps) referencedIds(s, used);
  for (const id of used) {
    // A Set visits what is added while it is iterated: definitions used by definitions are followed too.
    const def = byId.get(id);
    if (def) referencedIds(def, used);
  }
  const children = inner.children.filter(
    (c) => c.type !== 'element' || typeof c.properties.id !== 'string' || used.has(c.properties.id),
  );
  return { ...defs, children: defs.children.map((c) => (c === inner ? { ...inner, children } : c)) };
}

/**
 * The page of every step: the whole figure, as a reader without JavaScript sees it, with the stylesheet. As UTF-8:
 * it is hashed and written to files, never read as text.
 */
function stepsPage(figure: Element, title: string, style: string, written?: Written): Uint8Array {
  const page: Root = {
    type: 'root',
    children: [
      { type: 'doctype' },
      h('html', { lang: 'en' }, [
        h('head', [
          h('meta', { charset: 'utf-8' }),
          h('meta', { name: 'viewport', content: 'width=device-width' }),
          h('title', title),
          h('link', { rel: 'stylesheet', href: style }),
        ]),
        h('body', [h('main', [figure])]),
      ]),
    ],
  };
  return htmlUtf8(page, written);
}

/** The figure of `tree` (and its index among the tree's children), its list of steps and the steps in it. */
function stepList(tree: Root): { index: number; figure: Element; list: Element; steps: Element[] } | undefined {
  const index = tree.children.findIndex((c) => c.type === 'element' && c.tagName === 'figure');
  const figure = tree.children[index] as Element | undefined;
  const list = figure?.children.find((c) => hasClass(c, 'memtrace-steps')) as Element | undefined;
  if (!figure || !list) return undefined;
  return { index, figure, list, steps: list.children.filter((c) => hasClass(c, 'memtrace-step')) };
}

/**
 * The figure of `tree` with only a window of its steps, the rest in a step page given to `pages`. A figure with
 * no more steps than {@link WINDOW}`.min` is returned as it is. `share`, given for a figure whose HTML is over the
 * budget, is the part of its steps that fits: as many are inlined, and the figure is windowed however few its steps.
 */
export function windowFigure(tree: Root, pages: StepPages, share?: number, written?: Written): Root {
  const found = stepList(tree);
  if (!found) return tree;
  const { index, figure, list, steps } = found;
  const start = Math.max(
    0,
    steps.findIndex((s) => hasClass(s, 'is-current')),
  );
  if (share === undefined && steps.length <= WINDOW.min) return tree;
  const around = 2 * WINDOW.around + 1;
  const first = share === undefined ? WINDOW.first : Math.max(1, Math.floor(steps.length * share) - around);
  const keep = windowSteps(steps.length, start, first);
  if (keep.size === steps.length) return tree;

  const title = `All ${steps.length} steps`;
  const html = stepsPage(figure, title, pages.style, written);
  const fileName = `memtrace-steps.${createHash('sha256').update(html).digest('hex').slice(0, 12)}.html`;
  pages.add(fileName, html);
  const url = pages.url(fileName);
  const more = h('p', { class: 'memtrace-more' }, [h('a', { href: url }, `${title} on one page`)]);
  const kept = steps.filter((_, i) => keep.has(i));
  const children = figure.children.flatMap((c): ElementContent[] =>
    c === list ? [{ ...list, children: kept }, more] : hasClass(c, 'memtrace-defs') ? [prunedDefs(c, kept)] : [c],
  );
  const windowed: Element = { ...figure, properties: { ...figure.properties, dataMore: url }, children };
  return { ...tree, children: tree.children.map((c, i) => (i === index ? windowed : c)) };
}
