/**
 * The figure HTML around a rendered trace: every step in an ordered list (what a reader without JavaScript, a
 * printer or a feed reader gets), plus the controls that the stepper (client/stepper.ts) brings to life.
 * The DOM contract with the stepper: `figure.memtrace`, `.memtrace-step` items (`is-current`, `data-line`,
 * id `<figure-id>-step-<k>`), `[data-go]` buttons and `[data-mt=range|status|live]`.
 */
import { inlineAssets } from './assets.ts';
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

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values alike. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

const ID = /^[A-Za-z][\w-]*$/;

export const stepLabel = (k: number, n: number, line: number): string => `Step ${k} of ${n}, line ${line}`;

const BUTTONS = [
  ['first', '«', 'First'],
  ['prev', '‹', 'Prev'],
  ['range'],
  ['next', '›', 'Next'],
  ['last', '»', 'Last'],
] as const;

function controls(n: number, start: number, startLine: number): string {
  const html = BUTTONS.map((b) => {
    if (b[0] == 'range') {
      return `<input class="memtrace-range" type="range" data-mt="range" min="1" max="${n}" step="1" value="${start + 1}" aria-label="Step" aria-valuetext="${stepLabel(start + 1, n, startLine)}">`;
    }
    const [go, arrow, label] = b;
    const target = go == 'first' ? 0 : go == 'last' ? n - 1 : Math.min(n - 1, Math.max(0, start + (go == 'next' ? 1 : -1)));
    const icon = `<span aria-hidden="true">${arrow}</span>`;
    const text = go == 'first' || go == 'prev' ? `${icon} ${label}` : `${label} ${icon}`;
    return `<button type="button" data-go="${go}" aria-disabled="${target == start}">${text}</button>`;
  });
  return `<div class="memtrace-controls" role="group" aria-label="Steps">${html.join('')}</div>`;
}

/**
 * Every step must reserve the figure's box before its SVG paints, so that stepping never moves the page: the SVG
 * needs width, height and viewBox (with `height: auto` in CSS, the viewBox keeps the ratio when it shrinks).
 * The renderer's own attributes win; missing ones are filled in from the figure's size.
 */
function sized(svg: string, width: number, height: number, where: string): string {
  const open = /^\s*<svg(?=[\s>/])[^>]*>/.exec(svg);
  if (!open) throw new TypeError(`memtrace figure ${where} is not an <svg> element`);
  const has = (name: string) => new RegExp(`\\s${name}\\s*=`).test(open[0]);
  const add = [
    has('width') ? '' : ` width="${width}"`,
    has('height') ? '' : ` height="${height}"`,
    has('viewBox') ? '' : ` viewBox="0 0 ${width} ${height}"`,
  ].join('');
  return add ? svg.trim().replace(/^<svg/, '<svg' + add) : svg.trim();
}

function step(s: RenderedStep, k: number, n: number, id: string, current: boolean, f: RenderedFigure): string {
  const svg = sized(s.svg, f.width, f.height, `"${id}" step ${k}`);
  return (
    `<li class="memtrace-step${current ? ' is-current' : ''}" id="${id}-step-${k}" data-line="${s.line}">` +
    `<p class="memtrace-caption">${stepLabel(k, n, s.line)}</p>` +
    `<div class="memtrace-view">${svg}</div>` +
    `<details class="memtrace-text"><summary>Text version</summary><pre>${preText(s.text)}</pre></details>` +
    `</li>`
  );
}

/**
 * Newlines as character references, so that the figure's HTML has no blank line: Markdown hosts that splice it in
 * as an HTML block (Sätteri, CommonMark) end the block at the first blank line and read the rest as Markdown.
 */
const preText = (text: string) => escapeHtml(text).replace(/\n/g, '&#10;');

/** The figure's HTML: deterministic, everything but the renderer's SVG escaped, no URL but those in `assets`. */
export function renderFigure(figure: RenderedFigure, options: FigureOptions): string {
  const { id, title, code } = options;
  const assets = options.firstOnPage === false ? undefined : options.assets;
  const start = options.start ?? 0;
  const n = figure.steps.length;
  if (!ID.test(id)) throw new TypeError(`memtrace figure id "${id}" must be letters, digits, "-" or "_", starting with a letter`);
  if (!(figure.width > 0 && figure.height > 0)) throw new RangeError(`memtrace figure "${id}" has no size`);
  if (n == 0) throw new RangeError(`memtrace figure "${id}" has no steps`);
  if (!Number.isInteger(start) || start < 0 || start >= n) {
    throw new RangeError(`memtrace figure "${id}": start ${start} is not a step index in 0..${n - 1}`);
  }
  const steps = figure.steps.map((s, i) => step(s, i + 1, n, id, i == start, figure)).join('');
  const startLine = figure.steps[start].line;
  const inline = assets == 'inline' ? inlineAssets() : undefined;
  const linked = assets == 'inline' ? undefined : assets;
  return (
    (inline ? `<style>${inline.css}</style>` : linked ? `<link rel="stylesheet" href="${escapeHtml(linked.style)}">` : '') +
    `<figure class="memtrace not-content" id="${id}" data-memtrace${title ? '' : ' aria-label="Memory diagram"'}>` +
    (title ? `<figcaption class="memtrace-title">${escapeHtml(title)}</figcaption>` : '') +
    controls(n, start, startLine) +
    `<p class="memtrace-status" data-mt="status">${stepLabel(start + 1, n, startLine)}</p>` +
    `<div class="memtrace-live" data-mt="live" aria-live="polite"></div>` +
    // What the steps share (figure.shared), defined once: an SVG that takes no room and is never display:none,
    // because browsers do not paint a marker defined in an undisplayed subtree.
    (figure.shared ? `<svg class="memtrace-defs" width="0" height="0" aria-hidden="true" focusable="false"><defs>${figure.shared}</defs></svg>` : '') +
    `<ol class="memtrace-steps">${steps}</ol>` +
    (options.note ? `<p class="memtrace-note" role="note">${escapeHtml(options.note)}</p>` : '') +
    (code == null ? '' : `<details class="memtrace-code"><summary>Python code</summary><pre class="memtrace-src" translate="no">${preText(code)}</pre></details>`) +
    `</figure>` +
    (inline
      ? `<script type="module">${inline.js}</script>`
      : linked
        ? `<script type="module" src="${escapeHtml(linked.script)}"></script>`
        : '')
  );
}
