/**
 * The code of a figure as HTML text, one pane per step: selectable, copyable, found by the browser's find, and
 * soft-wrapped with a hanging indent (a wrapped line continues right of its own indentation), so a long line never
 * widens the page. The line that just ran and the next line to run carry the same two arrow shapes as the legend
 * (a hollow and a solid arrow, drawn once in the figure's shared SVG definitions and placed with <use>), so a reader
 * without colour vision, without JavaScript or on paper still tells them apart. Line numbers are CSS counters: they
 * are not copied with the code.
 *
 * Under the code: the output printed so far and the exception of the step, as HTML text too.
 */
import { h, svgElement, type Element } from './hast.ts';

/** What one step's code pane shows besides the code. */
export interface CodePaneStep {
  /** The next line to run (1-based). */
  line: number;
  /** The line that just ran. */
  prevLine?: number;
  /** The last lines printed so far (already cut to what is shown). */
  output: string[];
  /** "Type: message" of the exception raised at this step. */
  exception?: string;
}

/** Ids of the two line arrows in the figure's shared definitions, tip at 0,0. */
export interface LineMarkIds {
  /** The solid arrow: the next line to run. */
  next: string;
  /** The hollow arrow: the line that just ran. */
  prev: string;
}

/** Indentation is kept in steps of two spaces for the hanging indent; deeper lines hang at the deepest step. */
export const MAX_INDENT_STEP = 6;

/** The class of a line's indentation step (`i1` = two spaces), or none for an unindented line. */
export function indentClass(line: string): string | undefined {
  const n = /^ */.exec(line)![0].length;
  const step = Math.min(MAX_INDENT_STEP, Math.floor(n / 2));
  return step > 0 ? `i${step}` : undefined;
}

/**
 * The arrows of a marked line: solid for the next line, hollow for the one that just ran (left of it when both).
 * In the legend they sit on the text's baseline, so their middle is drawn lower, where the letters' middle is.
 */
function marks(ids: LineMarkIds, next: boolean, prev: boolean, inText = false): Element {
  const uses: Element[] = [];
  if (prev) uses.push(svgElement('use', { href: `#${ids.prev}`, x: next ? -9 : 0 }));
  if (next) uses.push(svgElement('use', { href: `#${ids.next}` }));
  return svgElement(
    'svg',
    {
      class: 'mt-m',
      width: 26,
      height: 16,
      viewBox: inText ? '-25 -12 26 16' : '-25 -8 26 16',
      'aria-hidden': 'true',
      focusable: 'false',
    },
    uses,
  );
}

/** One step's pane: the marked code, then what was printed, then the exception. */
export function codePane(lines: string[], step: CodePaneStep, ids: LineMarkIds): Element {
  const code = lines.map((text, i) => {
    const n = i + 1;
    const next = n === step.line;
    const prev = n === step.prevLine;
    const cls = ['mt-l', indentClass(text), next ? 'mt-n' : undefined, prev ? 'mt-p' : undefined].filter(
      Boolean,
    ) as string[];
    // An empty line holds a space, which gives it a line's height.
    const shown = text === '' ? ' ' : text;
    return h('span', { class: cls }, next || prev ? [marks(ids, next, prev), shown] : [shown]);
  });
  // No <code> inside: hosts' highlighters (Astro's Shiki under unified) take over any pre > code they find.
  const parts: Element[] = [h('pre', { class: 'mt-src', translate: 'no' }, code)];
  parts.push(
    h('div', { class: 'mt-out' }, [
      h('p', { class: 'mt-h' }, 'Print output'),
      h(
        'pre',
        { translate: 'no' },
        step.output.map((l) => h('span', { class: 'mt-ol' }, l === '' ? ' ' : l)),
      ),
    ]),
  );
  if (step.exception) {
    parts.push(
      h(
        'pre',
        { class: 'mt-exc', translate: 'no' },
        step.exception.split('\n').map((l) => h('span', { class: 'mt-ol' }, l)),
      ),
    );
  }
  return h('div', { class: 'mt-code' }, parts);
}

/** The legend of the two arrows, once per figure. */
export function codeLegend(ids: LineMarkIds): Element {
  // An em space between the two keeps them apart (it is not collapsed as spaces are).
  return h('p', { class: 'mt-legend' }, [
    marks(ids, false, true, true),
    ' line that just ran\u2003',
    marks(ids, true, false, true),
    ' next line to run',
  ]);
}
