/**
 * The "place" stage of render(): where every box goes. The figure's columns and every object's slot are fixed over
 * all shown steps at once (placement.ts), so that stepping never moves a box; then each step's frames, objects and
 * the dots its arrows leave from get their boxes.
 */
import type { Pt } from './arrows.ts';
import type { FigureFragments, FrameFragments, LaidOut } from './boxes.ts';
import type { FigureModel } from './figure-model.ts';
import type { FragmentSpec } from './fragments.ts';
import type { FrameModel, ObjectModel } from './model.ts';
import {
  assignSlots,
  grid,
  slotParents,
  stackedRowOrder,
  ROW_GAP,
  upLanesRoom,
  type Grid,
  type Slot,
} from './placement.ts';
import type { Box, Rendered } from './sheet.ts';
import { placeNarrow } from './narrow.ts';
import {
  CODE_TO_FRAMES,
  FRAME_GAP,
  FRAME_HEAD_H,
  FRAME_PAD,
  FRAMES_TO_OBJECTS,
  frameHeight,
  HEADER_H,
  MARGIN,
  MARK,
  NARROW_WIDTH,
  OMITTED_H,
  ROW_PITCH,
  SCW,
} from './sizes.ts';

/**
 * Where the parts every step shares go, and the figure's size, in one arrangement: `wide`, the frames beside the
 * objects (right of the code when the SVG draws it), or `stacked`, the objects below the frames (narrow.ts).
 */
export interface FigurePlacement {
  /** Appended to the ids this arrangement defines: '' for the wide one, 'n' for the stacked one. */
  suffix: string;
  /** Per step, heap id → slot in the objects' grid. */
  slots: Map<number, Slot>[];
  grid: Grid;
  /** Top of the code (below the headers). */
  top: number;
  /** Top of the first frame. */
  framesTop: number;
  /** Top left corner of an object's fragment in its slot. */
  objectAt: (slot: Slot) => { x: number; y: number };
  /** Where the "Frames" and "Objects" headers go (no objects, no header). */
  headers: { frames: { x: number; y: number }; objects?: { x: number; y: number } };
  /** Boxes arrows keep out of besides the drawn ones: the sides of a column too narrow for arrows looping round. */
  walls: Box[];
  codeBox: Box;
  outHeaderY: number;
  outBox: Box;
  excY: number;
  framesX: number;
  objectsX: number;
  anyObjects: boolean;
  width: number;
  height: number;
  /** Free horizontal lanes for arrows (between rows of objects), as y values. */
  lanes: number[];
  /** Free vertical lanes for arrows (between columns), as x values. */
  columns: number[];
  /**
   * Stacked: where the band of objects wider than the column starts, and the width of everything above it (a page
   * pans the band in a box of its own).
   */
  band?: { y: number; width: number };
}

/** A note right of an object's type label ("freed", "✱ new"). */
export interface Note {
  x: number;
  text: string;
  colour: 'garbage' | 'changed';
}

/** A frame of one step, where it goes, and the gap for left-out calls that follows it, if any. */
export interface PlacedFrame {
  frame: FrameModel;
  parts: FrameFragments;
  box: Box;
  gap?: Box;
}

/** An object of one step, where it goes: `x, y` is its fragment's corner (type label included), `box` its box. */
export interface PlacedObject {
  object: ObjectModel;
  fragment: FragmentSpec;
  x: number;
  y: number;
  box: Box;
  notes: Note[];
  faded: boolean;
}

/** A reference's dot, and what its arrow needs to know to be routed. */
export interface ArrowSource {
  from: Pt;
  /** The frame or object box the dot sits in. */
  source: Box;
  /** An object's cell the dot sits in (a frame's dots have none: their arrows may cut through its padding). */
  cell?: Box;
  target: number;
  faded: boolean;
}

/** Every box of one step. */
export interface StepPlacement {
  frames: PlacedFrame[];
  objects: PlacedObject[];
  sources: ArrowSource[];
  /** Boxes arrows keep off, frames (and gaps) first, then objects. */
  obstacles: Box[];
  /** Each object's type label and notes, above its box, by box: arrows keep off them as off boxes. */
  labels: Map<Box, Box>;
  /** Object boxes by heap id. */
  targets: Map<number, Box>;
}

/** An object's notes, which run right of its type label and so count towards its width. */
export const notesOf = (o: ObjectModel): (readonly [string, 'garbage' | 'changed'])[] => [
  ...(o.status === 'freed' ? [['freed', 'garbage'] as const] : []),
  ...(o.status === 'cycle' ? [['kept alive by a cycle', 'garbage'] as const] : []),
  ...(o.mark ? [[`${MARK} ${o.mark}`, 'changed'] as const] : []),
];

/** Width of an object's type label. */
export const labelWidth = (s: FragmentSpec): number => (s.label ?? '').length * SCW;

/** An arrangement of a figure's parts (see FigurePlacement). */
export type Arrangement = 'wide' | 'stacked';

/** The drawn size of an object at a step (its type label and notes included), by step index and heap id. */
type ObjectSize = (step: number, id: number) => { w: number; h: number };

/** Each object's drawn size: its box, or its type label and notes when they run wider. */
function objectSizes(model: FigureModel, fragments: FigureFragments, laid: LaidOut): ObjectSize {
  return (k, id) => {
    const spec = fragments.steps[k]!.objects.get(id)!;
    const o = model.steps[k]!.objects.find((x) => x.id === id)!;
    const label = labelWidth(spec);
    const notes = notesOf(o).reduce((w, [t]) => w + (t.length + 1) * SCW, label > 0 ? 6 : 0);
    return { w: Math.max(laid(spec).w, Math.ceil(label + notes)), h: laid(spec).h };
  };
}

/** The code column, the output below it and the exception below that, and where the column ends. */
interface CodeColumn {
  top: number;
  codeBox: Box;
  outHeaderY: number;
  outBox: Box;
  excY: number;
  /** Bottom of what the SVG draws there (0 on a page, which draws none of it). */
  bottom: number;
}

/** Where the code, the output and the exception go, left of the frames. */
function codeColumn(fragments: FigureFragments, laid: LaidOut): CodeColumn {
  const top = MARGIN + HEADER_H;
  const { column } = fragments;
  const height = (s: FragmentSpec | undefined) => (s ? laid(s).h : 0);
  const codeBox = { x: MARGIN, y: top, w: fragments.codeDims.width, h: height(column?.code) };
  const outHeaderY = codeBox.y + codeBox.h + 10;
  const outBox = { x: MARGIN, y: outHeaderY + 18, w: fragments.codeDims.width, h: height(column?.output[0]) };
  const excY = outBox.y + outBox.h + 10;
  const excH = Math.max(0, ...(column?.exception ?? []).map(height));
  const bottom = !column ? 0 : excH ? excY + excH : outBox.y + outBox.h;
  return { top, codeBox, outHeaderY, outBox, excY, bottom };
}

/** Height of each step's stack of frames, with the gap for left-out calls. */
const stepFramesHeights = (model: FigureModel): number[] =>
  model.steps.map(
    (m) =>
      m.frames.reduce((y, f) => y + frameHeight(f.rows.length) + FRAME_GAP, 0) -
      FRAME_GAP +
      (m.omitted ? OMITTED_H + FRAME_GAP : 0),
  );

/** Height of the tallest stack of frames over all steps. */
const framesHeight = (model: FigureModel): number => Math.max(...stepFramesHeights(model));

/** What both arrangements place the same way. */
type CommonPlacement = Pick<
  FigurePlacement,
  'slots' | 'grid' | 'top' | 'codeBox' | 'outHeaderY' | 'outBox' | 'excY' | 'anyObjects'
>;

/** What an arrangement places: the parts both share, the objects' slots and sizes, the frames' size. */
interface ArrangementInput {
  common: CommonPlacement;
  column: CodeColumn;
  sizeOf: ObjectSize;
  framesWidth: number;
  framesHeight: number;
  page: boolean;
}

/** The stacked arrangement: the objects below the frames, in a column as narrow as a phone's (narrow.ts). */
function stackedPlacement(model: FigureModel, input: ArrangementInput): FigurePlacement {
  const { common, column, page } = input;
  const n = placeNarrow({
    x: MARGIN,
    top: page ? MARGIN : column.bottom + 14,
    headerH: HEADER_H,
    framesWidth: input.framesWidth,
    framesHeight: input.framesHeight,
    stepFramesHeights: stepFramesHeights(model),
    slots: common.slots,
    sizeOf: input.sizeOf,
    maxWidth: NARROW_WIDTH - 2 * MARGIN - 24,
    order: stackedRowOrder(model.steps, common.slots),
    parents: slotParents(model.steps, common.slots),
    frameLinks: model.steps.map((m) =>
      m.frames.flatMap((f) => f.rows.flatMap((r) => ('ref' in r.value ? [r.value.ref] : []))),
    ),
    itemLinks: model.steps.map((m) =>
      m.objects.flatMap((o) =>
        'items' in o.obj ? o.obj.items.flatMap((v) => ('ref' in v ? [[o.id, v.ref] as [number, number]] : [])) : [],
      ),
    ),
  });
  const width = Math.ceil(Math.max(n.right, page ? 0 : column.codeBox.x + column.codeBox.w) + MARGIN);
  const band = n.band && {
    y: n.band.top,
    width: Math.ceil(Math.max(n.band.right, page ? 0 : column.codeBox.x + column.codeBox.w) + MARGIN),
  };
  return {
    ...common,
    suffix: 'n',
    framesX: n.framesX,
    framesTop: n.framesTop,
    objectsX: n.objectsX,
    objectAt: n.at,
    headers: {
      frames: { x: n.framesX, y: n.framesTop - HEADER_H },
      ...(n.objectsHeaderY === undefined ? {} : { objects: { x: n.objectsX, y: n.objectsHeaderY } }),
    },
    width,
    height: Math.ceil(n.bottom + MARGIN),
    lanes: n.lanes,
    columns: n.columns,
    // A column this narrow has no room for arrows that loop round outside it; above the band, no room right of it.
    walls: [
      { x: -1e4, y: -1e4, w: 1e4 + 2, h: 3e4 },
      { x: width - 2, y: -1e4, w: 1e4, h: 3e4 },
      ...(band ? [{ x: band.width - 2, y: -1e4, w: 1e4, h: band.y + 1e4 }] : []),
    ],
    ...(band ? { band } : {}),
  };
}

/** The wide arrangement: the frames beside the objects, right of the code when the SVG draws it. */
function widePlacement(model: FigureModel, input: ArrangementInput): FigurePlacement {
  const { common, column, page } = input;
  const { top, codeBox, anyObjects, grid: g } = common;
  const framesX = page ? MARGIN : codeBox.x + codeBox.w + CODE_TO_FRAMES;
  const objectsX = framesX + input.framesWidth + FRAMES_TO_OBJECTS;
  // Objects leave room on their right for the arrows that go round them.
  const room = upLanesRoom(model.steps, common.slots);
  const width = Math.ceil(anyObjects ? objectsX + g.width + 24 + room.w : framesX + input.framesWidth + MARGIN);
  const height = Math.ceil(Math.max(column.bottom, top + input.framesHeight, top + g.height + room.h) + MARGIN);
  const lanes = [top - 5, ...g.rowY.slice(1).map((y) => top + y - ROW_GAP / 2), top + g.height + 10];
  const columns = [objectsX - FRAMES_TO_OBJECTS / 2, ...g.gaps.map((x) => objectsX + x)];
  return {
    ...common,
    suffix: '',
    framesX,
    framesTop: top,
    objectsX,
    objectAt: (s) => ({ x: objectsX + g.at(s).x, y: top + g.at(s).y }),
    headers: { frames: { x: framesX, y: MARGIN }, ...(anyObjects ? { objects: { x: objectsX, y: MARGIN } } : {}) },
    width,
    height,
    lanes,
    columns,
    walls: [],
  };
}

/**
 * Places the columns and every object's slot, over all steps, in one arrangement. On a `page` the SVG holds only
 * the frames and the objects.
 */
export function placeFigure(
  model: FigureModel,
  fragments: FigureFragments,
  laid: LaidOut,
  arrangement: Arrangement = 'wide',
  page = false,
): FigurePlacement {
  const sizeOf = objectSizes(model, fragments, laid);
  const slots = assignSlots(model.steps, sizeOf);
  const anyObjects = slots.some((s) => s.size > 0);
  const column = codeColumn(fragments, laid);
  const { top, codeBox, outHeaderY, outBox, excY } = column;
  const common = {
    slots,
    grid: grid(slots, sizeOf),
    top,
    codeBox,
    outHeaderY,
    outBox,
    excY,
    anyObjects,
  };
  const input = {
    common,
    column,
    sizeOf,
    framesWidth: fragments.frameDims.width,
    framesHeight: framesHeight(model),
    page,
  };
  return arrangement === 'stacked' ? stackedPlacement(model, input) : widePlacement(model, input);
}

const at = (a: Box, x: number, y: number): Box => ({ x: x + a.x, y: y + a.y, w: a.w, h: a.h });

/**
 * The dots of a fragment's references. An object's arrows leave through their own cell's row only; a frame's leave
 * its rows to the right, and may cut through its padding.
 */
function refsOf(
  s: FragmentSpec,
  r: Rendered,
  box: Box,
  x: number,
  y: number,
  faded: boolean,
  isObject: boolean,
): ArrowSource[] {
  const out: ArrowSource[] = [];
  for (const ref of s.refs) {
    const a = r.anchors.get(ref.anchor);
    if (!a) continue;
    const t = ref.top ?? 0;
    out.push({
      from: { x: x + a.x + a.w / 2, y: y + a.y + t + (a.h - t) / 2 },
      source: box,
      ...(isObject ? { cell: at(a, x, y) } : {}),
      target: ref.target,
      faded,
    });
  }
  return out;
}

/** The frames of step `k`, stacked from the top, each followed by the gap for left-out calls where there is one. */
function placeFrames(
  k: number,
  model: FigureModel,
  fragments: FigureFragments,
  laid: LaidOut,
  figure: FigurePlacement,
  into: StepPlacement,
) {
  const m = model.steps[k]!;
  const fd = fragments.frameDims;
  let fy = figure.framesTop;
  m.frames.forEach((f, i) => {
    const parts = fragments.steps[k]!.frames[i]!;
    const box = { x: figure.framesX, y: fy, w: fd.width, h: frameHeight(f.rows.length) };
    const cx = box.x + FRAME_PAD + 1 + fd.nameW;
    f.rows.forEach((_, j) => {
      const value = parts.rows[j]!.value;
      into.sources.push(...refsOf(value, laid(value), box, cx, box.y + FRAME_HEAD_H + j * ROW_PITCH, false, false));
    });
    into.obstacles.push(box);
    fy += box.h + FRAME_GAP;
    const placed: PlacedFrame = { frame: f, parts, box };
    if (m.omitted?.afterIndex === i) {
      placed.gap = { x: figure.framesX, y: fy, w: fd.width, h: OMITTED_H };
      into.obstacles.push(placed.gap);
      fy += OMITTED_H + FRAME_GAP;
    }
    into.frames.push(placed);
  });
}

/** The objects of step `k` that have a slot, in the model's order. */
function placeObjects(
  k: number,
  model: FigureModel,
  fragments: FigureFragments,
  laid: LaidOut,
  figure: FigurePlacement,
  into: StepPlacement,
) {
  for (const o of model.steps[k]!.objects) {
    const slot = figure.slots[k]!.get(o.id);
    if (!slot) continue;
    const fragment = fragments.steps[k]!.objects.get(o.id)!;
    const { x, y } = figure.objectAt(slot);
    const r = laid(fragment);
    const box = at(r.anchors.get('box')!, x, y);
    const lw = labelWidth(fragment);
    let lx = x + lw + (lw > 0 ? 6 : 0);
    const notes: Note[] = [];
    for (const [text, colour] of notesOf(o)) {
      notes.push({ x: lx, text, colour });
      lx += (text.length + 1) * SCW;
    }
    const faded = o.status === 'freed';
    into.objects.push({ object: o, fragment, x, y, box, notes, faded });
    into.obstacles.push(box);
    if (lx > x) into.labels.set(box, { x, y, w: lx - x, h: box.y - y });
    into.targets.set(o.id, box);
    into.sources.push(...refsOf(fragment, r, box, x, y, faded, true));
  }
}

/** Every box of step `k`, and the dots its arrows leave from. */
export function placeStep(
  k: number,
  model: FigureModel,
  fragments: FigureFragments,
  laid: LaidOut,
  figure: FigurePlacement,
): StepPlacement {
  const step: StepPlacement = {
    frames: [],
    objects: [],
    sources: [],
    obstacles: [],
    labels: new Map(),
    targets: new Map(),
  };
  placeFrames(k, model, fragments, laid, figure, step);
  placeObjects(k, model, fragments, laid, figure, step);
  step.obstacles.push(...figure.walls);
  return step;
}
