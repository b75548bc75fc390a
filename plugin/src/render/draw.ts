/**
 * The "draw" stage of render(): each step's SVG from the placed boxes and routed arrows (svg.ts writes it). What
 * every step draws alike (the code's text, the legend, the headers) is placed once; with `shared`, it and every
 * frame or object drawn the same in two steps or more go once into the figure's shared part, which steps `<use>`.
 */
import { svgBytes, svgElement as el, type Element, type ElementContent } from '../figure/hast.ts';
import { dotsData } from './arrows.ts';
import type { FigureFragments, FrameFragments, LaidOut } from './boxes.ts';
import type { FigureModel } from './figure-model.ts';
import type { FragmentSpec } from './fragments.ts';
import type { FrameModel } from './model.ts';
import type { FigurePlacement, PlacedFrame, PlacedObject, StepPlacement } from './positions.ts';
import type { Reuse } from './reuse.ts';
import type { StepArrows } from './routes.ts';
import type { Item, Rendered } from './sheet.ts';
import {
  ARROW_GUTTER,
  CELL_H,
  FRAME_HEAD_H,
  FRAME_MARK_X,
  FRAME_PAD,
  frameHeight,
  FS,
  LABEL_BASELINE,
  LINE_H,
  MARGIN,
  MARK,
  ROW_PITCH,
  SMALL,
} from './sizes.ts';
import { arrowMarker, Layer, lineArrow, svgDocument } from './svg.ts';
import { noteText } from '../notes/inline.ts';
import { stepText, stepTitle } from './text.ts';
import { paint } from './theme.ts';
import type { RenderedStep } from './types.ts';

/** How the figure is drawn: its id prefix, whether steps share a part, the title of its SVGs. */
export interface DrawOptions {
  prefix: string;
  shared: boolean;
  title?: string;
}

/** Everything the draw stage reads, and what it accumulates over the steps (the shared drawings). */
export interface FigureDrawing {
  model: FigureModel;
  fragments: FigureFragments;
  laid: LaidOut;
  figure: FigurePlacement;
  options: DrawOptions;
  reuse: Reuse;
  /** Per step and frame: everything a frame's drawing depends on (marks are drawn over it, apart). */
  frameKeys: string[][];
  /** What every step draws alike and that stays in each step (all of it without `shared`, else its rects). */
  commonItems: Item[];
  /** The laid-out code panel, whose `lines` anchor places the line marks (when the SVG draws the code). */
  code?: Rendered;
  /** The legend's two line arrows. */
  legendMarks: Element[];
  /** With `shared`: the common drawing of this arrangement, as `<defs>` content. */
  sharedHead?: Element;
}

/** Places what every step draws alike; with `shared`, its texts go to `common`, drawn once for all steps. */
function placeCommon(
  d: Pick<FigureDrawing, 'laid' | 'options' | 'commonItems'>,
  common: Layer,
  s: FragmentSpec,
  x: number,
  y: number,
): Rendered {
  const r = d.laid(s);
  for (const it of r.items) {
    const placed = { ...it, x: it.x + x, y: it.y + y };
    // Texts go over the step's rects (the line highlight lies on the code background): the rects stay in the steps.
    if (d.options.shared && it.t !== 'r') common.add([placed], 0, 0);
    else d.commonItems.push(placed);
  }
  return r;
}

/** The id of a line arrow (tip at 0,0) in the shared part, which steps place with <use>. */
const lineMarkId = (prefix: string, solid: boolean) => `${prefix}${solid ? 'n' : 'p'}`;

/**
 * Starts the drawing of a figure in one arrangement: places the common parts and counts the drawings that recur
 * into `reuse`, which the figure's arrangements share, so that a box drawn in two arrangements is defined once.
 */
export function startDrawing(
  model: FigureModel,
  fragments: FigureFragments,
  laid: LaidOut,
  figure: FigurePlacement,
  options: DrawOptions,
  reuse: Reuse,
): FigureDrawing {
  const { prefix } = options;
  const common = new Layer(true);
  const base = { laid, options, commonItems: [] as Item[] };
  let code: Rendered | undefined;
  let legendMarks: Element[] = [];
  const { column } = fragments;
  // The SVG draws the code column only where its fragments were made (not on a page, which sets it as HTML).
  if (column) {
    code = placeCommon(base, common, column.code, figure.codeBox.x, figure.codeBox.y);
    const legend = placeCommon(base, common, column.legend, MARGIN, MARGIN);
    placeCommon(base, common, column.outputHeader, MARGIN, figure.outHeaderY);
    const a0 = legend.anchors.get('lg0')!;
    const a1 = legend.anchors.get('lg1')!;
    legendMarks = [
      lineArrow(MARGIN + a0.x + 16, MARGIN + a0.y + a0.h / 2, false),
      lineArrow(MARGIN + a1.x + 16, MARGIN + a1.y + a1.h / 2, true),
    ];
  }
  const { frames, objects } = figure.headers;
  placeCommon(base, common, fragments.headers.frames, frames.x, frames.y);
  if (objects) placeCommon(base, common, fragments.headers.objects, objects.x, objects.y);
  const sharedHead = options.shared
    ? el('g', { id: `${prefix}b${figure.suffix}` }, [...common.nodes(), ...legendMarks])
    : undefined;
  const frameKeys = model.steps.map((m, k) =>
    m.frames.map((f, i) => {
      const spec = fragments.steps[k]!.frames[i]!;
      return JSON.stringify([f.state, spec.head.key, spec.rows.map((r) => [r.name.key, r.value.key])]);
    }),
  );
  frameKeys.flat().forEach((key) => reuse.count(key));
  model.steps.forEach((m, k) =>
    m.objects.forEach((o) => figure.slots[k]!.has(o.id) && reuse.count(fragments.steps[k]!.objects.get(o.id)!.key)),
  );
  return {
    model,
    fragments,
    laid,
    figure,
    options,
    reuse,
    frameKeys,
    commonItems: base.commonItems,
    ...(code ? { code } : {}),
    legendMarks,
    ...(sharedHead ? { sharedHead } : {}),
  };
}

/**
 * The figure's shared part, once every step of every arrangement is drawn: each arrangement's common drawing, the
 * arrowhead, the two line arrows (which a page's HTML code pane places too) and every recurring box.
 */
export function sharedPart(drawings: FigureDrawing[]): ElementContent[] | undefined {
  const [d] = drawings;
  if (!d?.options.shared) return undefined;
  const { prefix } = d.options;
  return [
    ...drawings.map((x) => x.sharedHead!),
    arrowMarker(`${prefix}a`),
    lineArrow(0, 0, true, lineMarkId(prefix, true)),
    lineArrow(0, 0, false, lineMarkId(prefix, false)),
    ...d.reuse.nodes(),
  ];
}

/**
 * A frame's box, header and rows at ox, oy; `afterRow` draws what goes over a row (its change mark) in place, so
 * that a frame drawn in place comes out as it always did.
 */
function drawFrame(
  d: FigureDrawing,
  into: Layer,
  f: FrameModel,
  spec: FrameFragments,
  ox: number,
  oy: number,
  afterRow: (j: number) => void,
) {
  const fd = d.fragments.frameDims;
  const running = f.state === 'running';
  const box = { x: ox, y: oy, w: fd.width, h: frameHeight(f.rows.length) };
  into.rect(box.x, box.y, box.w, box.h, paint(running ? 'accent' : 'frameBorder'));
  into.rect(box.x + 1, box.y + 1, box.w - 2, box.h - 2, paint(running ? 'runningBg' : 'frameBg'));
  if (running) into.outline(box, paint('accent'), 2);
  into.add(d.laid(spec.head).items, box.x, box.y);
  const x = box.x + FRAME_PAD + 1;
  const cx = x + fd.nameW;
  // Cell borders first, in one run, under the cells.
  f.rows.forEach((_, j) =>
    into.rect(cx - 1, box.y + FRAME_HEAD_H + j * ROW_PITCH - 1, fd.cellW + 2, CELL_H + 2, paint('border')),
  );
  f.rows.forEach((_, j) => {
    const { name, value } = spec.rows[j]!;
    const y = box.y + FRAME_HEAD_H + j * ROW_PITCH;
    into.add(d.laid(name).items, x, y);
    into.add(d.laid(value).items, cx, y);
    afterRow(j);
  });
}

/** A placed frame of step `k`, its change marks, and the gap for left-out calls after it. */
function drawPlacedFrame(d: FigureDrawing, layer: Layer, k: number, i: number, p: PlacedFrame) {
  const { frame: f, box } = p;
  const fd = d.fragments.frameDims;
  const cx = box.x + FRAME_PAD + 1 + fd.nameW;
  const mark = (j: number) => {
    if (!f.rows[j]!.mark) return;
    const c = { x: cx, y: box.y + FRAME_HEAD_H + j * ROW_PITCH, w: fd.cellW, h: CELL_H };
    layer.tint(c, paint('changedBg'));
    layer.outline({ x: c.x - 1, y: c.y - 1, w: c.w + 2, h: c.h + 2 }, paint('changed'), 2);
    layer.text(box.x + FRAME_MARK_X, c.y + c.h / 2 + 4.5, paint('changed'), FS, MARK);
  };
  // Marks go over the frame's cells, so a frame drawn through <use> gets them afterwards.
  if (
    d.reuse.place(d.frameKeys[k]![i]!, layer, box.x, box.y, (into, ox, oy, inPlace) =>
      drawFrame(d, into, f, p.parts, ox, oy, inPlace ? mark : () => {}),
    )
  ) {
    f.rows.forEach((_, j) => mark(j));
  }
  if (p.gap) {
    // The left-out calls: a dashed, empty-looking box in the stack where they would be.
    layer.outline(p.gap, paint('frameBorder'), 1, true);
    layer.text(p.gap.x + FRAME_PAD + 1, p.gap.y + p.gap.h / 2 + 4.5, paint('muted'), FS, d.model.omitted[k]!);
  }
}

/** Texts the writer draws itself at places satori laid out (list indices, type labels). */
function ownTexts(into: Layer, s: FragmentSpec, r: Rendered, x: number, y: number) {
  for (const t of s.texts ?? []) {
    const a = t.anchor === undefined ? { x: 0, y: 0 } : r.anchors.get(t.anchor);
    if (a) into.text(x + a.x + t.dx, y + a.y + t.dy, paint(t.colour), t.size, t.s);
  }
}

/** A placed object: its fragment, its notes, and its marks (freed, cycle, new, changed cells). */
function drawObject(d: FigureDrawing, into: Layer, p: PlacedObject) {
  const { object: o, fragment: s, x, y, box } = p;
  const r = d.laid(s);
  d.reuse.place(s.key, into, x, y, (l, ox, oy) => {
    l.add(r.items, ox, oy);
    ownTexts(l, s, r, ox, oy);
  });
  for (const n of p.notes) into.text(n.x, y + LABEL_BASELINE, paint(n.colour), SMALL, n.text);
  if (o.status !== 'live') into.outline(box, paint('garbage'), 1.5, true);
  else if (o.mark === 'new') into.outline(box, paint('changed'), 2);
  const at = (a: { x: number; y: number; w: number; h: number }) => ({ x: x + a.x, y: y + a.y, w: a.w, h: a.h });
  for (const i of o.changedCells) {
    for (const a of [r.anchors.get(`c${i}`), r.anchors.get(`k${i}`)]) {
      if (a) {
        into.tint(at(a), paint('changedBg'));
        into.outline(at(a), paint('changed'), 1.5);
      }
    }
  }
}

/**
 * What every step draws alike, and where the SVG draws the code: the line highlight, the output, the exception, and
 * the two line arrows. Returns the marks to draw over the rest.
 */
function drawCodeAndOutput(d: FigureDrawing, layer: Layer, k: number): Element[] {
  const m = d.model.steps[k]!;
  const { column } = d.fragments;
  const { codeBox, outBox, excY } = d.figure;
  const { prefix, shared } = d.options;
  layer.add(d.commonItems, 0, 0);
  const marks: Element[] = shared ? [el('use', { href: `#${prefix}b${d.figure.suffix}` })] : [...d.legendMarks];
  if (!d.code || !column) return marks;
  const lines = d.code.anchors.get('lines')!;
  const lineMid = (line: number) => codeBox.y + lines.y + (line - 0.5) * LINE_H;
  const onCode = (line: number | undefined): line is number =>
    line !== undefined && line >= 1 && line <= d.model.code.length;
  if (onCode(m.line)) layer.rect(codeBox.x, lineMid(m.line) - LINE_H / 2, codeBox.w, LINE_H, paint('nextBg'));
  layer.add(d.laid(column.output[k]!).items, outBox.x, outBox.y);
  const exception = column.exception[k];
  if (exception) layer.add(d.laid(exception).items, MARGIN, excY);
  const placeLineArrow = (x: number, y: number, solid: boolean) =>
    shared
      ? el('use', { href: `#${lineMarkId(prefix, solid)}`, x: Math.round(x * 10) / 10, y: Math.round(y * 10) / 10 })
      : lineArrow(x, y, solid);
  const arrowX = codeBox.x + ARROW_GUTTER - 3;
  if (onCode(m.line)) marks.push(placeLineArrow(arrowX, lineMid(m.line), true));
  // On the same line (a loop on one line, a return), the hollow arrow steps left so that both show.
  if (onCode(m.prevLine))
    marks.push(placeLineArrow(arrowX - (m.prevLine === m.line ? 9 : 0), lineMid(m.prevLine), false));
  return marks;
}

/** Step `k`'s SVG and text version, from its placed boxes and routed arrows. */
export function drawStep(d: FigureDrawing, k: number, placed: StepPlacement, arrows: StepArrows): RenderedStep {
  const m = d.model.steps[k]!;
  const { prefix, shared } = d.options;
  const layer = new Layer();
  const faded = new Layer();
  const marks = drawCodeAndOutput(d, layer, k);
  placed.frames.forEach((f, i) => drawPlacedFrame(d, layer, k, i, f));
  for (const o of placed.objects) drawObject(d, o.faded ? faded : layer, o);
  const markerId = shared ? `${prefix}a` : `${prefix}a${k}`;
  const ink = (i: 0 | 1): Element[] => [
    // Each dot is a zero-length stroke with round caps, all in one path of relative moves: a few bytes a dot.
    ...(arrows.dots[i].length
      ? [
          el('path', {
            d: dotsData(arrows.dots[i]),
            fill: 'none',
            stroke: paint('arrow'),
            'stroke-width': '7',
            'stroke-linecap': 'round',
          }),
        ]
      : []),
    ...(arrows.paths[i].length
      ? [
          el(
            'g',
            { fill: 'none', stroke: paint('arrow'), 'stroke-width': '1.5', 'marker-end': `url(#${markerId})` },
            arrows.paths[i],
          ),
        ]
      : []),
  ];
  const fadedBody = [...faded.nodes(), ...ink(1)];
  const body = [
    ...layer.nodes(),
    ...(fadedBody.length ? [el('g', { opacity: '.4' }, fadedBody)] : []),
    ...marks,
    ...ink(0),
  ];
  const total = d.model.steps.length;
  const title = stepTitle(m, total, d.options.title);
  const { width, height } = d.figure;
  // The step's own note, in its text version and, for an SVG that stands alone, as its <desc> (a page shows the
  // note beside the SVG as HTML).
  const note = d.model.notes[k];
  const own = note && !note.carried ? noteText(note.markdown) : undefined;
  const desc = own && !shared ? { id: `${prefix}desc${k}${d.figure.suffix}`, text: own } : undefined;
  // A step of a shared figure lives in an HTML page, where the SVG namespace goes without saying.
  const tree = svgDocument({
    width,
    height,
    titleId: `${prefix}t${k}${d.figure.suffix}`,
    title,
    marker: shared ? undefined : markerId,
    body,
    inHtml: shared,
    desc,
  });
  const text = stepText(m, {
    total,
    code: d.model.code,
    objectNumber: (id) => d.model.objectNumber.get(id) ?? 0,
    note: own,
  });
  return withSvgBytes({ index: m.index, line: m.line, tree, text, ...(note ? { note } : {}) });
}

/**
 * The step with its `svg` bytes written from its tree when first read, and left out of its JSON: a page writes the
 * tree itself, and a cached figure twice the size would cost every read of it.
 */
export function withSvgBytes<T extends { tree: Element }>(step: T): T & { svg: string } {
  return bytesWhenRead(step, 'svg', step.tree) as T & { svg: string };
}

/** Gives `target` a `key` that holds the bytes of `nodes`, written when first read and left out of its JSON. */
export function bytesWhenRead<T extends object>(target: T, key: string, nodes: ElementContent | ElementContent[]): T {
  let bytes: string | undefined;
  return Object.defineProperty(target, key, { get: () => (bytes ??= svgBytes(nodes)), enumerable: false });
}
