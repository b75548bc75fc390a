/**
 * The stacked arrangement of a diagram, for a column as narrow as a phone's: the frames on top, the objects below
 * them, flowing in rows no wider than the column. It places the same slots as the wide grid (placement.ts), so an
 * object keeps its place for as long as it lives here too; only where the slots go differs. A row of the wide grid
 * (a structure reached from one variable: a linked list, a list and its items) starts a new line and wraps onto
 * more lines when it does not fit, each continuation line indented a little so that it reads as the same row.
 * The first row with an object wider than the column (a long list) starts a band that runs to the bottom: a page
 * shows that band in a box that pans sideways (figure/markup.ts), while everything above it stays put. The rows after
 * it stay after it, in the band, rather than move above it: the lines then keep the order of the variables and lists
 * that reach them, which is what lets their arrows nest in the gutter and on the right without crossing (moved
 * above, a list of six wide tuples, each also held by a variable, drew 59 crossings).
 */
import type { Slot } from './placement.ts';
import { LABEL_H } from './sizes.ts';

/** What the stacked placement needs to know of a figure. */
export interface NarrowSpec {
  /** Left edge of the frames and objects. */
  x: number;
  /** Top of the "Frames" header. */
  top: number;
  /** Height of a column header ("Frames", "Objects") with its gap below. */
  headerH: number;
  framesWidth: number;
  /** Height of the tallest stack of frames over all steps. */
  framesHeight: number;
  /** Per step, the height of its stack of frames. */
  stepFramesHeights?: number[];
  /** Per step, heap id → slot (placement.ts's assignSlots). */
  slots: Map<number, Slot>[];
  /** The drawn size of an object at a step, its type label and notes included. */
  sizeOf: (step: number, id: number) => { w: number; h: number };
  /** How wide the objects may run before a line wraps. */
  maxWidth: number;
  /** The rows of the wide grid in the order their lines go (placement.ts's stackedRowOrder); else in order. */
  order?: number[];
  /** Per used slot (`row,col,sub`), the row of its object's parent and where it comes among the parent's references. */
  parents?: Map<string, { row: number; nth: number }>;
  /** Per step, the references held by list items: [the list's heap id, the id it points to]. */
  itemLinks?: [number, number][][];
  /** Per step, the ids the frames' variables point to. */
  frameLinks?: number[][];
}

/** Where the parts of a stacked diagram go, in the SVG's coordinates, shared by every step. */
export interface NarrowPlacement {
  framesX: number;
  framesTop: number;
  /** Top of the "Objects" header; undefined when no step has an object. */
  objectsHeaderY?: number;
  /** Left edge of the objects (and their header): right of the gutter the arrows run down to them. */
  objectsX: number;
  /** Top left corner of a slot's object. */
  at(slot: Slot): { x: number; y: number };
  /** Free horizontal lanes for arrows (above each line of objects). */
  lanes: number[];
  /** Free vertical lanes for arrows (right of the frames, right of every placed slot). */
  columns: number[];
  /** Right and bottom edges of everything placed, arrows' room on the right included. */
  right: number;
  bottom: number;
  /**
   * Where the rows with an object wider than the column start (`top`: the top edge of their first line's boxes), and
   * the right edge of everything placed before them; undefined when no object is that wide.
   */
  band?: { top: number; right: number };
}

/** Gap between two objects on one line, and between lines. */
export const NARROW_COL_GAP = 28;
export const NARROW_ROW_GAP = 22;
/** Gap between the lines of one wrapped row. */
const WRAP_GAP = 14;
/** How far a continuation line of a wrapped row, or a part of a structure, sits right of its row's start. */
const INDENT = 18;
/** Room right of the objects for the arrows that run down to them. */
const FRAMES_LANE = 20;
const FRAMES_TO_OBJECTS = 14;

/**
 * The gap between the tallest stack of frames and the objects' header: room for the frames' arrows of every step,
 * which run left under that step's frames (one lane each, arrows.ts's nestedDown) on their way to the gutter left of
 * the objects, above the header.
 */
function framesToObjects(spec: NarrowSpec): number {
  let gap = FRAMES_TO_OBJECTS;
  (spec.frameLinks ?? []).forEach((links, k) => {
    const h = spec.stepFramesHeights?.[k] ?? spec.framesHeight;
    gap = Math.max(gap, h - spec.framesHeight + 4 + links.length * GUTTER_LANE);
  });
  return gap;
}
/**
 * Where the band starts below the top of its first line: at the top edge of its objects' boxes, under their type
 * labels, so that an arrow into one of them ends in the part that stays put, pointing at the box whatever it pans to.
 */
const BAND_SEAM = LABEL_H;

/** A slot's key: a stack's places (placement.ts's `sub`) are slots of their own here, side by side in the flow. */
const key = (s: Slot) => `${s.row},${s.col},${s.sub ?? 0}`;

/** The largest size of every used slot over all steps: a slot's box has one size for the whole figure. */
function slotSizes(spec: NarrowSpec): Map<string, { w: number; h: number }> {
  const sizes = new Map<string, { w: number; h: number }>();
  spec.slots.forEach((m, step) => {
    for (const [id, s] of m) {
      const size = spec.sizeOf(step, id);
      const was = sizes.get(key(s));
      sizes.set(key(s), { w: Math.max(was?.w ?? 0, size.w), h: Math.max(was?.h ?? 0, size.h) });
    }
  });
  return sizes;
}

/** The wide grid's rows in the order their lines go, top to bottom. */
function lineOrder(spec: NarrowSpec, rows: number[]): number[] {
  const order = (spec.order ?? []).filter((r) => rows.includes(r));
  return [...order, ...rows.filter((r) => !order.includes(r)).sort((a, b) => a - b)];
}

/** Lines of objects: each wide row starts a line, and wraps onto more lines past `maxWidth`. */
function flow(spec: NarrowSpec, sizes: Map<string, { w: number; h: number }>, wrap = spec.maxWidth) {
  const byRow = rowGroups(spec, sizes);
  const lines: { slots: { k: string; x: number; w: number; h: number }[]; band: boolean; wrapped?: true }[] = [];
  /** Where each column of the wide grid went last: a row that starts at column 1 lines up under its part. */
  const colX = new Map<number, number>();
  const band = (r: number) => byRow.get(r)!.some((k) => sizes.get(k)!.w > spec.maxWidth);
  // Every row in its line order; from the first with a structure wider than the column on, the lines are the band.
  for (const r of lineOrder(spec, [...byRow.keys()])) {
    let line: (typeof lines)[number] = { slots: [], band: band(r) || lines.some((l) => l.band) };
    lines.push(line);
    let x = 0;
    for (const k of byRow.get(r)!) {
      const c = Number(k.split(',')[1]);
      const { w, h } = sizes.get(k)!;
      if (line.slots.length === 0) x = Math.max(0, Math.min(colX.get(c) ?? c * INDENT, wrap - w));
      else if (x + w > wrap) {
        line = { slots: [], band: line.band, wrapped: true };
        lines.push(line);
        x = Math.max(0, Math.min(INDENT, wrap - w));
      }
      line.slots.push({ k, x, w, h });
      if (!colX.has(c)) colX.set(c, x);
      x += w + NARROW_COL_GAP;
    }
  }
  return lines;
}

/**
 * The slots of each row of the wide grid, in the order they flow. A part that the grid put in another row (its
 * parent's column was taken there) and that does not start its row flows with its parent's row instead, where no
 * band is involved: the methods of a class follow the class, not the instance that shares their row. A row's parts
 * go by column, then in reverse order of their parent's references (its bus then nests), else of their stack places.
 */
function rowGroups(spec: NarrowSpec, sizes: Map<string, { w: number; h: number }>): Map<number, string[]> {
  const byRow = new Map<number, string[]>();
  const at = (k: string) => k.split(',').map(Number) as [number, number, number];
  for (const k of sizes.keys()) byRow.set(at(k)[0], [...(byRow.get(at(k)[0]) ?? []), k]);
  const wide = (r: number) => byRow.get(r)!.some((k) => sizes.get(k)!.w > spec.maxWidth);
  for (const [r, keys] of [...byRow]) {
    const head = Math.min(...keys.map((k) => at(k)[1]));
    for (const k of keys) {
      const p = spec.parents?.get(k);
      if (!p || p.row === r || at(k)[1] === head || !byRow.has(p.row) || wide(p.row) || wide(r)) continue;
      byRow.set(
        r,
        byRow.get(r)!.filter((o) => o !== k),
      );
      byRow.get(p.row)!.push(k);
    }
  }
  for (const r of [...byRow.keys()]) joinColumn(byRow, r, spec, wide);
  const nth = (k: string) => spec.parents?.get(k)?.nth ?? -1;
  for (const keys of byRow.values()) keys.sort((a, b) => at(a)[1] - at(b)[1] || nth(b) - nth(a) || at(b)[2] - at(a)[2]);
  return byRow;
}

/**
 * Moves a row that holds only parts of one parent into the parent's row, where the parent's other parts already
 * stand in a column beside it (a class's methods, more than the grid's row had room for): placed after the column,
 * the parts of the parent's last references would come last, and their arrows, the innermost of its bus, would
 * cross every other one.
 */
function joinColumn(byRow: Map<number, string[]>, r: number, spec: NarrowSpec, wide: (r: number) => boolean) {
  const keys = byRow.get(r)!;
  const rows = new Set(keys.map((k) => spec.parents?.get(k)?.row));
  const [p] = rows;
  if (rows.size !== 1 || p === undefined || p === r || !byRow.has(p) || wide(p) || wide(r)) return;
  const col = (k: string) => Number(k.split(',')[1]);
  const column = byRow.get(p)!.filter((k) => spec.parents?.get(k)?.row === p && col(k) === col(keys[0]!));
  if (column.length < 2) return;
  byRow.get(p)!.push(...keys);
  byRow.delete(r);
}

/** Spacing of the gutter's lanes, left of the objects (arrows.ts's nested routes). */
const GUTTER_LANE = 3;

/**
 * Room left of the objects for the arrows down a gutter there (arrows.ts, nestedDown): the frames' arrows, and those
 * from list items down past other lines of objects; for the most such arrows of one step, past the margin's own room;
 * 0 when there are none.
 */
function gutterOf(spec: NarrowSpec, lines: ReturnType<typeof flow>): number {
  const lineOf = new Map<string, number>();
  lines.forEach((l, n) => {
    for (const s of l.slots) lineOf.set(s.k, n);
  });
  let most = 0;
  spec.slots.forEach((_, step) => {
    const links = spec.itemLinks?.[step] ?? [];
    const at = (id: number) => {
      const s = spec.slots[step]?.get(id);
      return s === undefined ? undefined : lineOf.get(key(s));
    };
    const frames = (spec.frameLinks?.[step] ?? []).filter((b) => at(b) !== undefined);
    const n = links.filter(([a, b]) => (at(b) ?? -1) > (at(a) ?? Infinity) + 1).length + frames.length;
    most = Math.max(most, n);
  });
  return most ? Math.max(0, 6 + most * GUTTER_LANE - 8) : 0;
}

/** The stacked placement of one figure: frames, then objects below them. */
export function placeNarrow(spec: NarrowSpec): NarrowPlacement {
  const framesX = spec.x;
  const framesTop = spec.top + spec.headerH;
  const framesBottom = framesTop + spec.framesHeight;
  const sizes = slotSizes(spec);
  // The arrows' bus: a lane right of everything, down which the frames' arrows run to the lane above their target.
  const gutter = spec.x + Math.max(spec.maxWidth, spec.framesWidth) + FRAMES_LANE / 2;
  const columns = new Set<number>([gutter]);
  let right = gutter + FRAMES_LANE / 2;
  if (sizes.size === 0) {
    return {
      framesX,
      framesTop,
      objectsX: framesX,
      at: () => ({ x: framesX, y: framesTop }),
      lanes: [],
      columns: [...columns],
      right,
      bottom: framesBottom,
    };
  }
  const objectsHeaderY = framesBottom + framesToObjects(spec);
  const objectsTop = objectsHeaderY + spec.headerH;
  const place = new Map<string, { x: number; y: number }>();
  const lanes: number[] = [objectsTop - 5];
  let y = objectsTop;
  let lines = flow(spec, sizes);
  // Room for a gutter left of the objects: the lines flow again within what is left of the column.
  let room = gutterOf(spec, lines);
  if (room) {
    lines = flow(spec, sizes, spec.maxWidth - room);
    room = Math.max(room, gutterOf(spec, lines));
  }
  const ox = spec.x + room;
  let band: NarrowPlacement['band'];
  for (const [i, line] of lines.entries()) {
    // A wrapped row's next line follows it closer: it reads as the same row.
    if (line.wrapped) y -= NARROW_ROW_GAP - WRAP_GAP;
    if (i > 0) lanes.push(y - (line.wrapped ? WRAP_GAP : NARROW_ROW_GAP) / 2);
    if (line.band && !band) band = { top: y + BAND_SEAM, right };
    for (const s of line.slots) {
      place.set(s.k, { x: ox + s.x, y });
      right = Math.max(right, ox + s.x + s.w + 24);
    }
    y += Math.max(...line.slots.map((s) => s.h)) + NARROW_ROW_GAP;
  }
  // The gap right of an object is a lane for arrows only where it runs past every other object, top to bottom; the
  // band's objects pan on a page, so no lane runs right of them, nor stops at them.
  const spans = lines.flatMap((l) => (l.band ? [] : l.slots.map((s) => [ox + s.x, ox + s.x + s.w] as const)));
  for (const [, end] of spans) {
    const x = end + NARROW_COL_GAP / 2;
    if (spans.every(([a, b]) => x <= a - 2 || x >= b + 2)) columns.add(x);
  }
  lanes.push(y - NARROW_ROW_GAP + 10);
  return {
    framesX,
    framesTop,
    objectsHeaderY,
    objectsX: ox,
    at: (s) => place.get(key(s)) ?? { x: spec.x, y: objectsTop },
    lanes,
    columns: [...columns].sort((a, b) => a - b),
    right,
    bottom: y - NARROW_ROW_GAP,
    ...(band ? { band } : {}),
  };
}
