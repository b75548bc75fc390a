/**
 * The figure HTML around a rendered trace: every step in an ordered list (what a reader without JavaScript, a
 * printer or a feed reader gets), plus the controls that the stepper (client/stepper.ts) brings to life.
 * The DOM contract with the stepper: `figure.memtrace`, `.memtrace-step` items (`is-current`, `data-line`,
 * id `<figure-id>-step-<k>`), `[data-go]` buttons and `[data-mt=range|status|live]`.
 */
import { inlineAssets } from './assets.ts';
import { noteToHast } from '../notes/inline.ts';
import { codeLegend, codePane, type LineMarkIds } from './code-pane.ts';
import { h, shared, svgElement, type Element, type ElementContent, type Root } from './hast.ts';
import type { RenderedFigure, RenderedStep } from './types.ts';

/** URLs of the emitted client assets, built by the integration under the site's `base`. */
export interface FigureAssets {
  script: string;
  style: string;
}

export interface FigureOptions {
  /** The figure's HTML id; step k is linked as `#<id>-step-<k>`. Letters, digits, `-` and `_`, starting with a letter. */
  id: string;
  title?: string;
  /** Index into `steps` of the step shown first (default 0). */
  start?: number;
  /** The program, offered as text under the figure. */
  code?: string;
  /**
   * The client assets: their URLs, or `'inline'` to put the script and style text in the page itself. Absent: the
   * page brings them some other way.
   */
  assets?: FigureAssets | 'inline';
  /** Only the first figure of a page links (or inlines) the assets (default true). */
  firstOnPage?: boolean;
  /** A remark shown under the steps, e.g. that the trace was stopped at the step cap. */
  note?: string;
}

const ID = /^[A-Za-z][\w-]*$/;

export const stepLabel = (k: number, n: number, line: number): string => `Step ${k} of ${n}, line ${line}`;

const BUTTONS = [
  ['first', '«', 'First'],
  ['prev', '‹', 'Prev'],
  ['range'],
  ['next', '›', 'Next'],
  ['last', '»', 'Last'],
] as const;

/** The buttons, the slider and the step counter, which stay together at the top of the screen. */
function controls(n: number, start: number, startLine: number): Element {
  const parts = BUTTONS.map((b): Element => {
    if (b[0] === 'range') {
      const attrs = {
        class: 'memtrace-range',
        type: 'range',
        'data-mt': 'range',
        min: String(1),
        max: String(n),
        step: '1',
        value: String(start + 1),
      };
      return h('input', { ...attrs, 'aria-label': 'Step', 'aria-valuetext': stepLabel(start + 1, n, startLine) });
    }
    const [go, arrow, label] = b;
    const target =
      go === 'first' ? 0 : go === 'last' ? n - 1 : Math.min(n - 1, Math.max(0, start + (go === 'next' ? 1 : -1)));
    const icon = h('span', { 'aria-hidden': 'true' }, arrow);
    const content = go === 'first' || go === 'prev' ? [icon, ` ${label}`] : [`${label} `, icon];
    return h('button', { type: 'button', 'data-go': go, 'aria-disabled': String(target === start) }, content);
  });
  const status = h('p', { class: 'memtrace-status', 'data-mt': 'status' }, stepLabel(start + 1, n, startLine));
  return h('div', { class: 'memtrace-controls', role: 'group', 'aria-label': 'Steps' }, [...parts, status]);
}

/**
 * Every step must reserve the figure's box before its SVG paints, so that stepping never moves the page: the SVG
 * needs width, height and viewBox (with `height: auto` in CSS, the viewBox keeps the ratio when it shrinks).
 * The renderer's own attributes win; missing ones are filled in from the figure's size.
 */
function sized(svg: Element, width: number, height: number, where: string, className: string): Element {
  if (svg?.type !== 'element' || svg.tagName !== 'svg')
    throw new TypeError(`memtrace figure ${where} is not an <svg> element`);
  const p = svg.properties;
  return {
    ...svg,
    properties: {
      className: [className],
      ...p,
      width: p.width ?? String(width),
      height: p.height ?? String(height),
      viewBox: p.viewBox ?? `0 0 ${width} ${height}`,
    },
  };
}

/** The ids of the two line arrows in a figure's shared definitions (render/draw.ts). */
const lineMarkIds = (id: string): LineMarkIds => ({ next: `${id}-n`, prev: `${id}-p` });

/**
 * The class that tells the stylesheet how wide a figure's side-by-side diagram is, rounded up to a width it knows:
 * below that width of its container, the stacked diagram shows instead.
 */
export function arrangementClass(width: number): string {
  return `mt-w${360 + 120 * Math.max(0, Math.min(7, Math.ceil((width - 360) / 120)))}`;
}

/**
 * A stacked diagram whose last rows hold an object wider than a phone's column (a long list): the SVG shows what lies
 * above that band, at the column's width, and a box under it pans sideways over the band alone, a second view of the
 * same drawing (`<use>`), so that nothing is drawn twice. The box fades out at its right edge where there is more
 * (CSS), and is hidden from assistive technology: the first SVG's title and the text version say it all.
 */
function banded(svg: Element, band: { y: number; width: number }, id: string, k: number): Element[] {
  const { width, height, viewBox, fontFamily, fontSize, xmlSpace, ...p } = svg.properties;
  const [w, bandH] = [Number(width), Number(height) - band.y];
  const named = svg.children.filter((c) => c.type === 'element' && (c.tagName === 'title' || c.tagName === 'desc'));
  // What the drawing inherits goes on its group: a <use> clone inherits from where it is used, not from the SVG.
  const drawing: Element = {
    type: 'element',
    tagName: 'g',
    properties: { id: `${id}-v${k}`, fontFamily, fontSize, xmlSpace },
    children: svg.children.filter((c) => !named.includes(c)),
  };
  const above: Element = {
    ...svg,
    properties: { ...p, width: String(band.width), height: String(band.y), viewBox: `0 0 ${band.width} ${band.y}` },
    children: [...named, drawing],
  };
  const attrs = { width: w, height: bandH, viewBox: `0 ${band.y} ${w} ${bandH}`, 'aria-hidden': 'true' };
  const pan = svgElement('svg', attrs, [svgElement('use', { href: `#${id}-v${k}` })]);
  return [above, h('div', { class: 'mt-y mt-pan' }, [pan])];
}

/**
 * The code panes of one figure, by what they show: steps that show the same lines marked and the same output share
 * one pane, whose HTML is written once (see `shared` in ./hast.ts). A loop shows a few panes a thousand times.
 */
function codePanes(f: RenderedFigure, id: string): (s: RenderedStep) => Element[] {
  const panes = new Map<string, Element>();
  const ids = lineMarkIds(id);
  return (s) => {
    if (!f.code) return [];
    const step = { line: s.line, output: [], ...s.pane };
    const key = JSON.stringify([step.line, step.prevLine ?? null, step.exception ?? null, step.output]);
    let pane = panes.get(key);
    if (!pane) panes.set(key, (pane = shared(codePane(f.code, step, ids))));
    return [pane];
  };
}

/** A step's code pane (on a page that sets the code as HTML) and its diagram, in each arrangement it has. */
function view(s: RenderedStep, k: number, id: string, f: RenderedFigure, pane: Element[]): Element {
  const where = `"${id}" step ${k}`;
  const svgs = [sized(s.tree, f.width, f.height, where, 'mt-x')];
  if (s.narrowTree && f.narrow) {
    const narrow = sized(s.narrowTree, f.narrow.width, f.narrow.height, where, 'mt-y');
    svgs.push(...(f.narrow.band ? banded(narrow, f.narrow.band, id, k) : [narrow]));
  }
  return h('div', { class: 'memtrace-view' }, [...pane, h('div', { class: 'mt-dia' }, svgs)]);
}

/**
 * The author's note a step shows, under its diagram: its own note, or the last one before it (class `is-carried`,
 * drawn dimmed), so that the reader keeps the thread between two notes. A carried note is `hidden` but where the
 * stylesheet shows one step at a time: a list of every step (no JavaScript, print, a feed reader) shows each note once.
 */
function noteElement(s: RenderedStep): Element[] {
  if (!s.note) return [];
  const { carried, markdown } = s.note;
  return [
    h(
      'p',
      { class: carried ? 'memtrace-narration is-carried' : 'memtrace-narration', hidden: carried },
      noteToHast(markdown),
    ),
  ];
}

function step(
  s: RenderedStep,
  k: number,
  n: number,
  id: string,
  current: boolean,
  f: RenderedFigure,
  pane: Element[],
): Element {
  return h(
    'li',
    { class: `memtrace-step${current ? ' is-current' : ''}`, id: `${id}-step-${k}`, 'data-line': String(s.line) },
    [
      h('p', { class: 'memtrace-caption' }, stepLabel(k, n, s.line)),
      view(s, k, id, f, pane),
      ...noteElement(s),
      h('details', { class: 'memtrace-text' }, [h('summary', 'Text version'), h('pre', s.text)]),
    ],
  );
}

function checkFigure(figure: RenderedFigure, id: string, start: number): void {
  const n = figure.steps.length;
  if (!ID.test(id))
    throw new TypeError(`memtrace figure id "${id}" must be letters, digits, "-" or "_", starting with a letter`);
  if (!(figure.width > 0 && figure.height > 0)) throw new RangeError(`memtrace figure "${id}" has no size`);
  if (n === 0) throw new RangeError(`memtrace figure "${id}" has no steps`);
  if (!Number.isInteger(start) || start < 0 || start >= n) {
    throw new RangeError(`memtrace figure "${id}": start ${start} is not a step index in 0..${n - 1}`);
  }
}

/** The figure element: title, controls, status, every step, the note and the program. */
function figureElement(figure: RenderedFigure, options: FigureOptions, start: number): Element {
  const { id, title, code } = options;
  const n = figure.steps.length;
  const startLine = figure.steps[start]!.line;
  const panes = codePanes(figure, id);
  const children: ElementContent[] = [
    ...(title ? [h('figcaption', { class: 'memtrace-title' }, title)] : []),
    controls(n, start, startLine),
    h('div', { class: 'memtrace-live', 'data-mt': 'live', 'aria-live': 'polite' }),
    ...(figure.code ? [codeLegend(lineMarkIds(id))] : []),
    // What the steps share (figure.shared), defined once: an SVG that takes no room and is never display:none,
    // because browsers do not paint a marker defined in an undisplayed subtree.
    ...(figure.sharedTree
      ? [
          {
            type: 'element',
            tagName: 'svg',
            properties: {
              className: ['memtrace-defs'],
              width: '0',
              height: '0',
              ariaHidden: 'true',
              focusable: 'false',
            },
            children: [{ type: 'element', tagName: 'defs', properties: {}, children: figure.sharedTree }],
          } as Element,
        ]
      : []),
    h(
      'ol',
      { class: 'memtrace-steps' },
      figure.steps.map((s, i) => step(s, i + 1, n, id, i === start, figure, panes(s))),
    ),
    ...(options.note ? [h('p', { class: 'memtrace-note', role: 'note' }, options.note)] : []),
    ...(code == null
      ? []
      : [
          h('details', { class: 'memtrace-code' }, [
            h('summary', 'Python code'),
            h('pre', { class: 'memtrace-src', translate: 'no' }, code),
          ]),
        ]),
  ];
  const classes = ['memtrace', 'not-content', ...(figure.narrow ? [arrangementClass(figure.width)] : [])];
  return h(
    'figure',
    { class: classes, id, 'data-memtrace': true, ...(title ? {} : { 'aria-label': 'Memory diagram' }) },
    children,
  );
}

/**
 * The figure as a hast tree: the figure element, with the asset tags around it on a page's first figure.
 * Deterministic, no URL but those in `assets`; htmlBytes (hast.ts) writes it.
 */
export function renderFigure(figure: RenderedFigure, options: FigureOptions): Root {
  const assets = options.firstOnPage === false ? undefined : options.assets;
  const start = options.start ?? 0;
  checkFigure(figure, options.id, start);
  const inline = assets === 'inline' ? inlineAssets() : undefined;
  const linked = assets === 'inline' ? undefined : assets;
  const before = inline
    ? [h('style', inline.css)]
    : linked
      ? [h('link', { rel: 'stylesheet', href: linked.style })]
      : [];
  const after = inline
    ? [h('script', { type: 'module' }, inline.js)]
    : linked
      ? [h('script', { type: 'module', src: linked.script })]
      : [];
  return { type: 'root', children: [...before, figureElement(figure, options, start), ...after] };
}
