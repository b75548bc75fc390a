/**
 * The boxes of a figure as satori elements: one "fragment" per frame state, object state, code panel, output box
 * and header. satori lays out each fragment's inside (rows, cells, text); where a fragment goes is decided by
 * placement.ts, over all steps at once. A fragment's key names everything it depends on, so a frame or object that
 * looks the same in two steps is laid out once.
 */
import { isRef, type HeapObject, type Value } from '../trace/format.ts';
import { div, type El } from './element.ts';
import { charWidth } from './font.ts';
import type { FrameModel, RowModel } from './model.ts';
import {
  ARROW_GUTTER,
  CELL_H,
  CW,
  FRAME_HEAD_H,
  FRAME_PAD,
  INDEX_H,
  LABEL_BASELINE,
  LABEL_H,
  LINE_H,
  MARK_W,
  MAX,
  MAX_ITEMS,
  SCW,
  SMALL,
} from './sizes.ts';
import { placeholder as C, type Colour } from './theme.ts';
import { clip, ELLIPSIS, primitiveLabel, typeLabel } from './values.ts';

/**
 * A reference leaving a fragment: the keyed cell it sits in (the dot goes at the centre of the cell below `top`,
 * the cell's index label) and the heap id it points to.
 */
export interface RefOut {
  anchor: string;
  target: number;
  top?: number;
}

/**
 * Small text the writer draws itself at a place satori laid out (list indices, type labels): relative to the
 * anchor's top left corner, or to the fragment's when there is no anchor. Saves satori a text element each.
 */
export interface OwnText {
  anchor?: string;
  dx: number;
  dy: number;
  s: string;
  size: number;
  colour: Colour;
}

/** One box of the figure to lay out: its satori element and what the writer draws from its anchors. */
export interface FragmentSpec {
  /** Names everything the layout depends on: fragments with one key share one layout. */
  key: string;
  el: El;
  /** The references leaving it, each drawn as a dot and an arrow. */
  refs: RefOut[];
  texts?: OwnText[];
  /** An object's type label, drawn above its box. */
  label?: string;
}

const text = (s: string, colour: Colour, style: Record<string, unknown> = {}) => div({ color: C(colour), ...style }, s);

export const valueChars = (v: Value, max: number): number => (isRef(v) ? 2 : primitiveLabel(v, max).length);

/** A value cell's content: the primitive's text, or nothing for a reference (its dot is drawn afterwards). */
function content(v: Value, max: number, anchor: string, refs: RefOut[], top = 0): string | undefined {
  if (isRef(v)) {
    refs.push(top ? { anchor, target: v.ref, top } : { anchor, target: v.ref });
    return undefined;
  }
  return primitiveLabel(v, max);
}

// Marks (new, changed, running, freed) are not part of a fragment: they are drawn over it from its anchors, so one
// layout serves every step in which a frame or object holds the same values.

// ---- frames ---------------------------------------------------------------------------------------------------

export interface FrameDims {
  width: number;
  nameW: number;
  cellW: number;
}

/** `minChars`: text of the main size that must fit inside a frame's padding (the left-out calls' label). */
export function frameDims(frames: FrameModel[], minChars = 0): FrameDims {
  let name = 4;
  let cell = 3;
  let header = Math.max(12, minChars);
  for (const f of frames) {
    header = Math.max(
      header,
      f.id === 0 ? 12 : Math.min(f.name.length, MAX.name) + 2 + Math.ceil((frameTag(f).length * SCW) / CW),
    );
    for (const r of f.rows) {
      name = Math.max(name, Math.min(r.name.length, r.name === 'Return value' ? 12 : MAX.name));
      cell = Math.max(cell, valueChars(r.value, MAX.value));
    }
  }
  const nameW = Math.ceil(name * CW + MARK_W) + 6;
  const cellW = Math.ceil(cell * CW) + 12;
  const inner = Math.max(Math.ceil(header * CW), nameW + cellW);
  return { width: inner + 2 * FRAME_PAD + 2, nameW: inner - cellW, cellW };
}

/** The small tag right of a call frame's name: its id (what `[parent=f1]` refers to), its parent, exited. */
const frameTag = (f: FrameModel) =>
  [`f${f.id}`, f.parent ? `[parent=f${f.parent}]` : '', f.state === 'exited' ? 'exited' : ''].filter(Boolean).join(' ');

/**
 * A frame is drawn by the writer as a box holding a header fragment and one fragment per row, so that a row that
 * stays the same from step to step (most of them) is laid out once per figure.
 */
export function frameHeaderFragment(f: FrameModel, d: FrameDims): FragmentSpec {
  const exited = f.state === 'exited';
  const head = f.id === 0 ? 'Global frame' : [clip(f.name, MAX.name), text(frameTag(f), 'muted', { fontSize: SMALL })];
  const el = div(
    {
      width: d.width,
      height: FRAME_HEAD_H,
      padding: `5px ${FRAME_PAD + 1}px 0`,
      boxSizing: 'border-box',
      justifyContent: 'space-between',
      alignItems: 'baseline',
      color: C(exited ? 'muted' : 'fg'),
    },
    head,
  );
  return { key: 'fh' + JSON.stringify([f.id, f.name, frameTag(f), d.width]), el, refs: [] };
}

/**
 * One variable is two fragments, its name (right-aligned in the name column) and its value cell (whose border
 * the writer draws), so that a name or a value seen before, in any frame, costs no new layout.
 */
export function frameRowFragments(
  r: RowModel,
  exited: boolean,
  d: FrameDims,
): { name: FragmentSpec; value: FragmentSpec } {
  const colour = C(exited ? 'muted' : 'fg');
  const name = clip(r.name, r.name === 'Return value' ? 12 : MAX.name);
  const refs: RefOut[] = [];
  const c = content(r.value, MAX.value, '', refs);
  return {
    name: {
      key: 'nm' + JSON.stringify([name, exited, d.nameW]),
      el: div(
        {
          width: d.nameW,
          height: CELL_H,
          justifyContent: 'flex-end',
          alignItems: 'center',
          paddingRight: 6,
          color: colour,
        },
        name,
      ),
      refs: [],
    },
    value: {
      // A folded star import's count is not a value of the program: muted, like an exited frame's.
      key: 'vl' + JSON.stringify([c ?? '@', exited || r.imported !== undefined, d.cellW]),
      el: div(
        {
          width: d.cellW,
          height: CELL_H,
          alignItems: 'center',
          paddingLeft: 5,
          backgroundColor: C('cellBg'),
          color: r.imported ? C('muted') : colour,
        },
        c ?? [],
      ),
      refs,
    },
  };
}

// ---- objects --------------------------------------------------------------------------------------------------

/** What the drawn cells of a container hold, capped, plus how many were left out. */
function capped<T>(items: T[], more: number | undefined): { shown: T[]; left: number } {
  const shown = items.slice(0, MAX_ITEMS);
  return { shown, left: items.length - shown.length + (more ?? 0) };
}

const boxStyle = { backgroundColor: C('border'), padding: 1, gap: 1 };

function sequenceBox(obj: Extract<HeapObject, { items: Value[] }>, refs: RefOut[], texts: OwnText[]): El {
  const bg: Colour = obj.kind === 'tuple' || obj.kind === 'frozenset' ? 'tupleBg' : 'objectBg';
  const indexed = obj.kind === 'list' || obj.kind === 'tuple';
  const { shown, left } = capped(obj.items, obj.more);
  const top = indexed ? INDEX_H : 0;
  const cells = shown.map((v, i) => {
    const c = content(v, MAX.item, `c${i}`, refs, top);
    if (indexed) texts.push({ anchor: `c${i}`, dx: 3, dy: 10, s: String(i), size: SMALL, colour: 'muted' });
    return div(
      {
        alignItems: 'center',
        justifyContent: 'center',
        minWidth: 30,
        height: CELL_H + top,
        padding: `${top}px 5px 0`,
        backgroundColor: C(bg),
      },
      c ?? [],
      `c${i}`,
    );
  });
  if (left > 0)
    cells.push(
      div(
        { alignItems: 'center', padding: `${top}px 5px 0`, backgroundColor: C(bg), color: C('muted') },
        `${ELLIPSIS} ${left} more`,
      ),
    );
  if (cells.length === 0)
    cells.push(
      div(
        { alignItems: 'center', height: CELL_H, padding: '0 6px', backgroundColor: C(bg), color: C('muted') },
        'empty',
      ),
    );
  return div(boxStyle, cells, 'box');
}

/**
 * A table of two columns, keys `k0`.. and values `c0`..: each column is its cells (backgrounds only, placed
 * absolutely) under ONE multi-line text, which sizes the column. One text per column instead of one per cell:
 * satori's cost is mostly per text.
 */
function tableColumns(
  rows: [string | undefined, Value][],
  keyBg: Colour,
  valueBg: Colour,
  refs: RefOut[],
  left: number,
  muted = false,
  keyColour: Colour = 'muted',
): El[] {
  const n = rows.length + (left > 0 ? 1 : 0);
  if (n === 0)
    return [
      div(
        { height: CELL_H, alignItems: 'center', padding: '0 6px', backgroundColor: C(valueBg), color: C('muted') },
        'empty',
      ),
    ];
  const column = (key: string, bg: Colour, lines: string[], style: Record<string, unknown>) =>
    div({ flexDirection: 'column', position: 'relative', ...style }, [
      ...Array.from({ length: n }, (_, i) =>
        div(
          { position: 'absolute', left: 0, right: 0, top: i * (CELL_H + 1), height: CELL_H, backgroundColor: C(bg) },
          [],
          i < rows.length ? `${key}${i}` : undefined,
        ),
      ),
      div({ height: n * (CELL_H + 1) - 1, padding: '2px 5px 0', lineHeight: `${CELL_H + 1}px` }, lines.join('\n')),
    ]);
  const keys = rows.map(([k]) => k ?? '');
  const values = rows.map(([, v], i) => content(v, MAX.value, `c${i}`, refs) ?? '');
  if (left > 0) {
    keys.push('');
    values.push(`${ELLIPSIS} ${left} more`);
  }
  return [
    column('k', keyBg, keys, {
      minWidth: 20,
      alignItems: 'flex-end',
      textAlign: 'right',
      color: C(muted ? 'muted' : keyColour),
    }),
    column('c', valueBg, values, { minWidth: 30, flexGrow: 1, color: C(muted ? 'muted' : 'fg') }),
  ];
}

const lineBox = (s: string, bg: Colour = 'objectBg'): El =>
  div(boxStyle, [div({ height: CELL_H, alignItems: 'center', padding: '0 6px', backgroundColor: C(bg) }, s)], 'box');

function objectBox(obj: HeapObject, refs: RefOut[], texts: OwnText[]): El {
  switch (obj.kind) {
    case 'list':
    case 'tuple':
    case 'set':
    case 'frozenset':
      return sequenceBox(obj, refs, texts);
    case 'dict': {
      const { shown, left } = capped(obj.entries, obj.more);
      const keyRefs: RefOut[] = [];
      const rows = shown.map(([k, v], i): [string | undefined, Value] => [content(k, MAX.key, `k${i}`, keyRefs), v]);
      const box = div(boxStyle, tableColumns(rows, 'keyBg', 'objectBg', refs, left, false, 'fg'), 'box');
      refs.push(...keyRefs);
      return box;
    }
    case 'instance':
    case 'class': {
      const { shown, left } = capped(obj.attrs, obj.more);
      return div(
        boxStyle,
        tableColumns(
          shown.map(([k, v]) => [clip(k, MAX.name), v]),
          'keyBg',
          'objectBg',
          refs,
          left,
        ),
        'box',
      );
    }
    case 'function':
      return lineBox(
        clip(`function ${obj.name}(${obj.params})`, MAX.other + 2) +
          (obj.parentFrame ? ` [parent=f${obj.parentFrame}]` : ''),
      );
    case 'module':
      return lineBox(clip(obj.name, MAX.other));
    case 'generator': {
      const head = div({ height: CELL_H, alignItems: 'center', padding: '0 6px', backgroundColor: C('objectBg') }, [
        clip(obj.name, MAX.name),
        text(` ${obj.state}${obj.frame ? `, line ${obj.frame.line}` : ''}`, 'muted'),
      ]);
      if (!obj.frame || obj.frame.locals.length === 0) return div(boxStyle, [head], 'box');
      // The suspended frame, greyed: it is not running.
      const locals = obj.frame.locals.map(([k, v]): [string, Value] => [clip(k, MAX.name), v]);
      return div(
        { ...boxStyle, flexDirection: 'column' },
        [head, div({ gap: 1 }, tableColumns(locals, 'frameBg', 'frameBg', refs, 0, true))],
        'box',
      );
    }
    default:
      return lineBox(clip(obj.repr, MAX.other));
  }
}

/** References do not change a layout (their dots are drawn afterwards), so they are left out of the key. */
const layoutKey = (obj: HeapObject) =>
  JSON.stringify(obj, (_k, v: unknown) => (v !== null && typeof v === 'object' && 'ref' in v ? 0 : v));

/** An object: room for its type label (drawn by the writer), then its box (`box`). */
export function objectFragment(obj: HeapObject): FragmentSpec {
  const key = 'ob' + layoutKey(obj);
  const refs: RefOut[] = [];
  const label = obj.kind === 'function' ? '' : typeLabel(obj);
  const texts: OwnText[] = label ? [{ dx: 0, dy: LABEL_BASELINE, s: label, size: SMALL, colour: 'muted' }] : [];
  const el = div({ flexDirection: 'column', alignItems: 'flex-start' }, [
    div({ height: LABEL_H, width: Math.ceil(label.length * SCW) }),
    objectBox(obj, refs, texts),
  ]);
  return { key, el, refs, texts, label };
}

// ---- the code, the output, the headers ------------------------------------------------------------------------

export function codeDims(lines: string[]): { width: number; numberW: number } {
  const digits = String(lines.length).length;
  const numberW = ARROW_GUTTER + Math.ceil(digits * CW) + 10;
  const longest = Math.max(20, ...lines.map((l) => Math.min(l.length, MAX.code)));
  // Never narrower than the legend above it.
  return { width: Math.max(LEGEND_W, numberW + Math.ceil(longest * CW) + 10), numberW };
}

export function codeFragment(lines: string[], width: number, numberW: number): FragmentSpec {
  const digits = String(lines.length).length;
  const numbers = lines.map((_, i) => String(i + 1).padStart(digits)).join('\n');
  const code = lines.map((l) => clip(l, MAX.code)).join('\n');
  const el = div({ width, padding: '6px 0', backgroundColor: C('codeBg'), lineHeight: `${LINE_H}px` }, [
    div({ width: numberW, paddingLeft: ARROW_GUTTER, color: C('muted') }, numbers),
    div({ color: C('fg') }, code, 'lines'),
  ]);
  return { key: 'code', el, refs: [] };
}

/** The last lines printed so far, the first replaced by a count when earlier lines do not fit. */
export function outputLines(stdout: string, rows: number): string[] {
  if (stdout === '') return [];
  const body = stdout.endsWith('\n') ? stdout.slice(0, -1) : stdout;
  // Every step asks, with all the output so far: the lines are counted, and only the last ones split off.
  let count = 1;
  for (let at = body.indexOf('\n'); at >= 0; at = body.indexOf('\n', at + 1)) count++;
  if (count <= rows) return body.split('\n');
  let start = body.length;
  for (let k = 1; k < rows; k++) start = body.lastIndexOf('\n', start - 1);
  const tail = rows > 1 ? body.slice(start + 1).split('\n') : [];
  return [`${ELLIPSIS} ${count - tail.length} lines above`, ...tail];
}

export function outputFragment(lines: string[], width: number, rows: number): FragmentSpec {
  const maxChars = Math.floor((width - 16) / CW);
  const body = lines.map((l) => clip(l, maxChars)).join('\n');
  const el = div(
    {
      width,
      height: rows * LINE_H + 12,
      padding: '6px 8px',
      boxSizing: 'border-box',
      backgroundColor: C('codeBg'),
      lineHeight: `${LINE_H}px`,
      color: C('fg'),
    },
    body,
  );
  return { key: 'out' + JSON.stringify(lines), el, refs: [] };
}

export function exceptionFragment(type: string, message: string, width: number): FragmentSpec {
  const maxChars = Math.floor((width - 20) / CW);
  // Wrapped, not clipped: the message is the point. At most four lines.
  const wrapped = `${type}: ${message}`.split('\n').flatMap((l) => wrap(l, maxChars));
  const lines = wrapped.length > 4 ? [...wrapped.slice(0, 3), clip(wrapped[3]!, maxChars - 1) + ELLIPSIS] : wrapped;
  const el = div({ width, padding: 1, backgroundColor: C('error') }, [
    div(
      {
        width: width - 2,
        flexDirection: 'column',
        padding: '4px 8px',
        backgroundColor: C('errorBg'),
        color: C('error'),
        lineHeight: `${LINE_H}px`,
      },
      lines.join('\n'),
    ),
  ]);
  return { key: 'exc' + JSON.stringify(lines) + width, el, refs: [] };
}

/** Greedy word wrap; a word longer than a line is cut. */
export function wrap(line: string, max: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const word of line.split(/(?<= )/)) {
    if ((cur + word).trimEnd().length <= max) cur += word;
    else {
      if (cur) out.push(cur.trimEnd());
      cur = word;
      while (cur.length > max) {
        out.push(cur.slice(0, max));
        cur = cur.slice(max);
      }
    }
  }
  out.push(cur.trimEnd());
  return out;
}

export function headerFragment(label: string): FragmentSpec {
  return { key: 'hd' + label, el: div({ color: C('muted'), fontSize: 12, height: 16 }, label), refs: [] };
}

/** The legend of the two line arrows; the arrows themselves are drawn at the `lg0` and `lg1` anchors. */
const LEGEND_ICON = 22;
const LEGEND_GAP = 14;
const LEGEND_TEXT = ['line that just ran', 'next line to run'] as const;
const LEGEND_W =
  Math.ceil(2 * LEGEND_ICON + LEGEND_GAP + (LEGEND_TEXT[0].length + LEGEND_TEXT[1].length) * charWidth(11)) + 4;

export function legendFragment(): FragmentSpec {
  const el = div({ height: 16, alignItems: 'center', fontSize: 11, color: C('muted') }, [
    div({ width: LEGEND_ICON, height: 12 }, [], 'lg0'),
    LEGEND_TEXT[0],
    div({ width: LEGEND_ICON, height: 12, marginLeft: LEGEND_GAP }, [], 'lg1'),
    LEGEND_TEXT[1],
  ]);
  return { key: 'legend', el, refs: [] };
}
