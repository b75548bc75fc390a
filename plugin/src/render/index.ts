/**
 * memtrace's renderer: a trace in, one static SVG per shown step out (plus a text version of each step).
 *
 * Pipeline: model.ts decides what each step shows; fragments.ts turns every distinct frame/object state into a
 * satori element; sheet.ts lays them all out in one satori call; placement.ts fixes every object's place over all
 * steps; this module stacks the pieces per step, draws dots, arrows and line markers, and writes the SVG (svg.ts).
 */
import type { Trace } from '../trace/format.ts';
import { dotsData, routeStep, type Pt } from './arrows.ts';
import {
  codeDims,
  codeFragment,
  exceptionFragment,
  FRAME_HEAD_H,
  FRAME_PAD,
  frameDims,
  frameHeaderFragment,
  frameHeight,
  frameRowFragments,
  CELL_H,
  ROW_PITCH,
  ARROW_GUTTER,
  FRAME_MARK_X,
  FS,
  headerFragment,
  LABEL_BASELINE,
  LINE_H,
  MARK,
  SCW,
  SMALL,
  legendFragment,
  objectFragment,
  OUTPUT_LINES,
  OMITTED_H,
  MAX,
  outputFragment,
  outputLines,
  type FragmentSpec,
} from './fragments.ts';
import { primitivesOnHeap } from './heap-primitives.ts';
import { buildModels, type FrameModel, type ObjectModel, type StepModel } from './model.ts';
import { assignSlots, grid, ROW_GAP } from './placement.ts';
import { Reuse } from './reuse.ts';
import { renderSheet, type Box, type Item, type Rendered } from './sheet.ts';
import { arrowMarker, Layer, lineArrow, svgDocument } from './svg.ts';
import { omittedLabel, stepText, stepTitle } from './text.ts';
import { paint } from './theme.ts';
import { clip, expandTabs, sanitize } from './values.ts';

export { FONT_FAMILY, FONT_FILES, FONT_STACK } from './font.ts';
export { PALETTE, THEME_CSS } from './theme.ts';

export interface RenderOptions {
  /** Prefix for every id inside the SVGs, unique per figure (e.g. 'mt3a9f-'). Required for many figures per page. */
  idPrefix?: string;
  /** Indices of the steps to render (default all). Layout is still computed over the shown steps only, so sizes are shared. */
  steps?: number[];
  /** Variable or frame (function) names to hide, exact or glob with *. */
  hide?: string[];
  /** Draw primitives as heap objects with arrows, as Python Tutor's "render all objects on the heap". Default false. */
  heapPrimitives?: boolean;
  /** Show exited frames that closures reference (default true). */
  showExited?: boolean;
  /** Draw every member of a class, those library code generated too (a dataclass's `__init__`); default false folds them into one row. */
  showGenerated?: boolean;
  /** Title used in each SVG's <title>. */
  title?: string;
  /**
   * Draw what steps have in common once, in `RenderedFigure.shared`, and have each step's SVG `<use>` it: the code
   * and its line numbers, the legend, the headers, the arrowheads, and every frame or object drawn the same in two
   * steps or more. For a page that holds every step of the figure and the shared part (see figure/markup.ts); a
   * step's SVG is then not complete on its own. Default false.
   */
  shared?: boolean;
}

export interface RenderedStep {
  index: number;
  line: number;
  svg: string;
  text: string;
}

export interface RenderedFigure {
  width: number;
  height: number;
  steps: RenderedStep[];
  /** With `shared`: the content of a `<defs>` that the steps reference by id. The page must hold it once. */
  shared?: string;
}

const MARGIN = 10;
const HEADER_H = 22;
const CODE_TO_FRAMES = 28;
const FRAMES_TO_OBJECTS = 56;
const FRAME_GAP = 10;


export async function render(trace: Trace, options: RenderOptions = {}): Promise<RenderedFigure> {
  const prefix = options.idPrefix ?? 'mt-';
  if (!/^[A-Za-z][\w-]*$/.test(prefix)) throw new Error(`memtrace render: idPrefix must be a valid id start, got ${JSON.stringify(prefix)}`);
  const shown = options.steps ?? trace.steps.map((_, i) => i);
  for (const i of shown) {
    if (!Number.isInteger(i) || i < 0 || i >= trace.steps.length) throw new Error(`memtrace render: no step ${i} (the trace has ${trace.steps.length})`);
  }
  if (shown.length === 0) return { width: 0, height: 0, steps: [] };

  const src = options.heapPrimitives ? primitivesOnHeap(trace) : trace;
  const models = buildModels(src, shown, { hide: options.hide ?? [], showExited: options.showExited ?? true, showGenerated: options.showGenerated ?? false });
  const codeLines = sanitize(trace.code).replace(/\n+$/, '').split('\n').map((l) => expandTabs(l));

  // ---- every fragment of the figure, deduplicated ----
  const specs = new Map<string, FragmentSpec>();
  // Specs with one key share one layout; each keeps its own refs (targets).
  const use = (s: FragmentSpec) => {
    if (!specs.has(s.key)) specs.set(s.key, s);
    return s;
  };
  const cd = codeDims(codeLines);
  const omittedText = (m: StepModel) => (m.omitted ? omittedLabel(m.omitted, m.omitted.name && clip(m.omitted.name, MAX.name)) : '');
  const fd = frameDims(models.flatMap((m) => m.frames), Math.max(0, ...models.map((m) => omittedText(m).length)));
  const outRows = Math.max(1, ...models.map((m) => outputLines(m.stdout, OUTPUT_LINES).length));
  const codeSpec = use(codeFragment(codeLines, cd.width, cd.numberW));
  const legendSpec = use(legendFragment());
  const hdr = { frames: use(headerFragment('Frames')), objects: use(headerFragment('Objects')), output: use(headerFragment('Print output')) };
  const perStep = models.map((m) => ({
    frames: m.frames.map((f) => ({
      head: use(frameHeaderFragment(f, fd)),
      rows: f.rows.map((r) => {
        const { name, value } = frameRowFragments(r, f.state === 'exited', fd);
        return { name: use(name), value: use(value) };
      }),
    })),
    objects: new Map(m.objects.map((o) => [o.id, use(objectFragment(o.obj))])),
    output: use(outputFragment(outputLines(m.stdout, outRows), cd.width, outRows)),
    exception: m.exception ? use(exceptionFragment(m.exception.type, m.exception.message, cd.width)) : undefined,
  }));
  // The legend and the headers are the same in every figure: laid out once per process.
  const fresh = [...specs.values()].filter((s) => !STATIC.has(s.key));
  const rendered = await renderSheet(fresh);
  for (const s of fresh) if (STATIC_KEYS.has(s.key)) STATIC.set(s.key, rendered.get(s.key)!);
  const R = (s: FragmentSpec): Rendered => rendered.get(s.key) ?? STATIC.get(s.key)!;

  // ---- placement, shared by all steps ----
  // An object's notes ("freed", "✱ new") run right of its type label, so they count towards its width.
  const notesOf = (o: ObjectModel): (readonly [string, 'garbage' | 'changed'])[] => [
    ...(o.status === 'freed' ? [['freed', 'garbage'] as const] : []),
    ...(o.status === 'cycle' ? [['kept alive by a cycle', 'garbage'] as const] : []),
    ...(o.mark ? [[`${MARK} ${o.mark}`, 'changed'] as const] : []),
  ];
  const sizeOf = (k: number, id: number) => {
    const r = R(perStep[k]!.objects.get(id)!);
    const o = models[k]!.objects.find((x) => x.id === id)!;
    const label = labelWidth(perStep[k]!.objects.get(id)!);
    const notes = notesOf(o).reduce((w, [t]) => w + (t.length + 1) * SCW, label > 0 ? 6 : 0);
    return { w: Math.max(r.w, Math.ceil(label + notes)), h: r.h };
  };
  const slots = assignSlots(models, sizeOf);
  const g = grid(slots, sizeOf);
  const anyObjects = slots.some((s) => s.size > 0);
  const top = MARGIN + HEADER_H;
  const codeBox = { x: MARGIN, y: top, w: cd.width, h: R(codeSpec).h };
  const outHeaderY = codeBox.y + codeBox.h + 10;
  const outBox = { x: MARGIN, y: outHeaderY + 18, w: cd.width, h: R(perStep[0]!.output).h };
  const excY = outBox.y + outBox.h + 10;
  const excH = Math.max(0, ...perStep.map((p) => (p.exception ? R(p.exception).h : 0)));
  const leftBottom = excH ? excY + excH : outBox.y + outBox.h;
  const framesX = codeBox.x + codeBox.w + CODE_TO_FRAMES;
  const objectsX = framesX + fd.width + FRAMES_TO_OBJECTS;
  const framesBottom = Math.max(
    ...models.map((m) => m.frames.reduce((y, f) => y + frameHeight(f.rows.length) + FRAME_GAP, top) - FRAME_GAP + (m.omitted ? OMITTED_H + FRAME_GAP : 0)),
  );
  // Objects leave room on their right for the arrows that go round them.
  const width = Math.ceil(anyObjects ? objectsX + g.width + 24 : framesX + fd.width + MARGIN);
  const height = Math.ceil(Math.max(leftBottom, framesBottom, top + g.height) + MARGIN);

  const lanes = [top - 5, ...g.rowY.slice(1).map((y) => top + y - ROW_GAP / 2), top + g.height + 10];
  const columns = [objectsX - FRAMES_TO_OBJECTS / 2, ...g.gaps.map((x) => objectsX + x)];

  const objectNumber = new Map<number, number>();
  for (const m of models) for (const o of m.objects) if (!objectNumber.has(o.id)) objectNumber.set(o.id, objectNumber.size + 1);

  // What every step draws the same. Its text goes over the step's rects (the line highlight lies on the code
  // background), so with `shared` the rects stay in the steps and the texts are drawn once, for all steps.
  const common = new Layer(true);
  const commonItems: Item[] = [];
  const placeCommon = (s: FragmentSpec, x: number, y: number) => {
    const r = R(s);
    for (const it of r.items) {
      const placed = { ...it, x: it.x + x, y: it.y + y };
      if (options.shared && it.t !== 'r') common.add([placed], 0, 0);
      else commonItems.push(placed);
    }
    return r;
  };
  const code = placeCommon(codeSpec, codeBox.x, codeBox.y);
  const legend = placeCommon(legendSpec, MARGIN, MARGIN);
  placeCommon(hdr.frames, framesX, MARGIN);
  if (anyObjects) placeCommon(hdr.objects, objectsX, MARGIN);
  placeCommon(hdr.output, MARGIN, outHeaderY);
  const a0 = legend.anchors.get('lg0')!;
  const a1 = legend.anchors.get('lg1')!;
  const legendMarks = lineArrow(MARGIN + a0.x + 16, MARGIN + a0.y + a0.h / 2, false) + lineArrow(MARGIN + a1.x + 16, MARGIN + a1.y + a1.h / 2, true);
  const sharedId = `${prefix}b`;
  // The two line arrows, tip at 0,0, for the steps to place with <use>.
  const lineMark = (solid: boolean) => `${prefix}${solid ? 'n' : 'p'}`;
  const shared = options.shared
    ? `<g id="${sharedId}">${common.toString()}${legendMarks}</g>${arrowMarker(`${prefix}a`)}` +
      lineArrow(0, 0, true).replace('<polygon', `<polygon id="${lineMark(true)}"`) +
      lineArrow(0, 0, false).replace('<polygon', `<polygon id="${lineMark(false)}"`)
    : undefined;
  const placeLineArrow = (x: number, y: number, solid: boolean) =>
    options.shared ? `<use href="#${lineMark(solid)}" x="${Math.round(x * 10) / 10}" y="${Math.round(y * 10) / 10}"/>` : lineArrow(x, y, solid);

  /**
   * A frame's box, header and rows at ox, oy; `afterRow` draws what goes over a row (its change mark) in place, so
   * that a frame drawn in place comes out as it always did.
   */
  const drawFrame = (into: Layer, f: FrameModel, spec: PerStepFrame, ox: number, oy: number, afterRow: (j: number) => void) => {
    const running = f.state === 'running';
    const box = { x: ox, y: oy, w: fd.width, h: frameHeight(f.rows.length) };
    into.rect(box.x, box.y, box.w, box.h, paint(running ? 'accent' : 'frameBorder'));
    into.rect(box.x + 1, box.y + 1, box.w - 2, box.h - 2, paint(running ? 'runningBg' : 'frameBg'));
    if (running) into.outline(box, paint('accent'), 2);
    into.add(R(spec.head).items, box.x, box.y);
    const x = box.x + FRAME_PAD + 1;
    const cx = x + fd.nameW;
    // Cell borders first, in one run, under the cells.
    f.rows.forEach((_, j) => into.rect(cx - 1, box.y + FRAME_HEAD_H + j * ROW_PITCH - 1, fd.cellW + 2, CELL_H + 2, paint('border')));
    f.rows.forEach((_, j) => {
      const { name, value } = spec.rows[j]!;
      const y = box.y + FRAME_HEAD_H + j * ROW_PITCH;
      into.add(R(name).items, x, y);
      into.add(R(value).items, cx, y);
      afterRow(j);
    });
  };

  // With `shared`, a frame or object drawn the same in two steps or more is drawn once and placed with <use>.
  // A frame's key: everything its drawing depends on (marks are drawn over it, apart).
  const frameKeys = models.map((m, k) =>
    m.frames.map((f, i) => {
      const spec = perStep[k]!.frames[i]!;
      return JSON.stringify([f.state, spec.head.key, spec.rows.map((r) => [r.name.key, r.value.key])]);
    }),
  );
  const reuse = new Reuse(options.shared === true, prefix);
  frameKeys.flat().forEach((key) => reuse.count(key));
  models.forEach((m, k) => m.objects.forEach((o) => slots[k]!.has(o.id) && reuse.count(perStep[k]!.objects.get(o.id)!.key)));

  const steps = models.map((m, k) => {
    const p = perStep[k]!;
    const layer = new Layer();
    const faded = new Layer();
    const place = (s: FragmentSpec, x: number, y: number, into = layer) => {
      into.add(R(s).items, x, y);
      return R(s);
    };
    layer.add(commonItems, 0, 0);
    const lines = code.anchors.get('lines')!;
    const lineMid = (line: number) => codeBox.y + lines.y + (line - 0.5) * LINE_H;
    const onCode = (line: number | undefined): line is number => line !== undefined && line >= 1 && line <= codeLines.length;
    if (onCode(m.line)) {
      layer.rect(codeBox.x, lineMid(m.line) - LINE_H / 2, codeBox.w, LINE_H, paint('nextBg'));
    }
    place(p.output, outBox.x, outBox.y);
    if (p.exception) place(p.exception, MARGIN, excY);

    const marks: string[] = [options.shared ? `<use href="#${sharedId}"/>` : legendMarks];
    const arrowX = codeBox.x + ARROW_GUTTER - 3;
    if (onCode(m.line)) marks.push(placeLineArrow(arrowX, lineMid(m.line), true));
    // On the same line (a loop on one line, a return), the hollow arrow steps left so that both show.
    if (onCode(m.prevLine)) marks.push(placeLineArrow(arrowX - (m.prevLine === m.line ? 9 : 0), lineMid(m.prevLine), false));

    // Frames and objects, remembering where every box and dot went.
    const obstacles: Box[] = [];
    const sources: { from: Pt; source: Box; cell?: Box; target: number; faded: boolean }[] = [];
    // An object's arrows leave through their own cell's row only; a frame's leave its rows to the right, and may
    // cut through its padding.
    const collectRefs = (s: FragmentSpec, r: Rendered, box: Box, x: number, y: number, isFaded: boolean, isObject: boolean) => {
      for (const ref of s.refs) {
        const a = r.anchors.get(ref.anchor);
        if (!a) continue;
        const t = ref.top ?? 0;
        sources.push({ from: { x: x + a.x + a.w / 2, y: y + a.y + t + (a.h - t) / 2 }, source: box, ...(isObject ? { cell: at(a, x, y) } : {}), target: ref.target, faded: isFaded });
      }
    };
    const at = (a: Box, x: number, y: number): Box => ({ x: x + a.x, y: y + a.y, w: a.w, h: a.h });
    let fy = top;
    m.frames.forEach((f, i) => {
      const spec = p.frames[i]!;
      const box = { x: framesX, y: fy, w: fd.width, h: frameHeight(f.rows.length) };
      const x = box.x + FRAME_PAD + 1;
      const cx = x + fd.nameW;
      const mark = (j: number) => {
        if (!f.rows[j]!.mark) return;
        const c = { x: cx, y: box.y + FRAME_HEAD_H + j * ROW_PITCH, w: fd.cellW, h: CELL_H };
        layer.tint(c, paint('changedBg'));
        layer.outline({ x: c.x - 1, y: c.y - 1, w: c.w + 2, h: c.h + 2 }, paint('changed'), 2);
        layer.text(box.x + FRAME_MARK_X, c.y + c.h / 2 + 4.5, paint('changed'), FS, MARK);
      };
      // Marks go over the frame's cells, so a frame drawn through <use> gets them afterwards.
      if (reuse.place(frameKeys[k]![i]!, layer, box.x, box.y, (into, ox, oy, inPlace) => drawFrame(into, f, spec, ox, oy, inPlace ? mark : () => {}))) {
        f.rows.forEach((_, j) => mark(j));
      }
      f.rows.forEach((_, j) => {
        const value = spec.rows[j]!.value;
        collectRefs(value, R(value), box, cx, box.y + FRAME_HEAD_H + j * ROW_PITCH, false, false);
      });
      obstacles.push(box);
      fy += box.h + FRAME_GAP;
      if (m.omitted?.afterIndex === i) {
        // The left-out calls: a dashed, empty-looking box in the stack where they would be.
        const gap = { x: framesX, y: fy, w: fd.width, h: OMITTED_H };
        layer.outline(gap, paint('frameBorder'), 1, true);
        layer.text(gap.x + FRAME_PAD + 1, gap.y + gap.h / 2 + 4.5, paint('muted'), FS, omittedText(m));
        obstacles.push(gap);
        fy += gap.h + FRAME_GAP;
      }
    });
    const targets = new Map<number, Box>();
    // Each object's type label and notes, above its box: arrows keep off them as off boxes.
    const labels = new Map<Box, Box>();
    for (const o of m.objects) {
      const slot = slots[k]!.get(o.id);
      if (!slot) continue;
      const s = p.objects.get(o.id)!;
      const x = objectsX + g.at(slot).x;
      const y = top + g.at(slot).y;
      const isFaded = o.status === 'freed';
      const into = isFaded ? faded : layer;
      const r = R(s);
      reuse.place(s.key, into, x, y, (l, ox, oy) => {
        l.add(r.items, ox, oy);
        ownTexts(l, s, r, ox, oy);
      });
      const box = at(r.anchors.get('box')!, x, y);
      const lw = labelWidth(s);
      let lx = x + lw + (lw > 0 ? 6 : 0);
      for (const [t, colour] of notesOf(o)) {
        into.text(lx, y + LABEL_BASELINE, paint(colour), SMALL, t);
        lx += (t.length + 1) * SCW;
      }
      if (o.status !== 'live') into.outline(box, paint('garbage'), 1.5, true);
      else if (o.mark === 'new') into.outline(box, paint('changed'), 2);
      for (const i of o.changedCells) {
        for (const a of [r.anchors.get(`c${i}`), r.anchors.get(`k${i}`)]) {
          if (a) {
            into.tint(at(a, x, y), paint('changedBg'));
            into.outline(at(a, x, y), paint('changed'), 1.5);
          }
        }
      }
      obstacles.push(box);
      if (lx > x) labels.set(box, { x, y, w: lx - x, h: box.y - y });
      targets.set(o.id, box);
      collectRefs(s, r, box, x, y, isFaded, true);
    }

    const dots: [Pt[], Pt[]] = [[], []];
    const paths: [string, string] = ['', ''];
    for (const s of sources) dots[s.faded ? 1 : 0].push(s.from);
    const drawn = sources.filter((s) => targets.has(s.target));
    const routes = routeStep(drawn.map((s) => ({ from: s.from, source: s.source, cell: s.cell, target: targets.get(s.target)!, obstacles, labels, lanes, columns, canvas: { w: width, h: height } })));
    drawn.forEach((s, j) => (paths[s.faded ? 1 : 0] += `<path d="${routes[j]}"/>`));
    const markerId = options.shared ? `${prefix}a` : `${prefix}a${k}`;
    const ink = (i: 0 | 1) =>
      // Each dot is a zero-length stroke with round caps, all in one path of relative moves: a few bytes a dot.
      (dots[i].length ? `<path d="${dotsData(dots[i])}" fill="none" stroke="${paint('arrow')}" stroke-width="7" stroke-linecap="round"/>` : '') +
      (paths[i] ? `<g fill="none" stroke="${paint('arrow')}" stroke-width="1.5" marker-end="url(#${markerId})">${paths[i]}</g>` : '');
    const fadedBody = faded.toString() + ink(1);
    const body = layer.toString() + (fadedBody ? `<g opacity=".4">${fadedBody}</g>` : '') + marks.join('') + ink(0);
    const title = stepTitle(m, models.length, options.title);
    // A step of a shared figure lives in an HTML page, where the SVG namespace goes without saying.
    const svg = svgDocument({ width, height, titleId: `${prefix}t${k}`, title, marker: options.shared ? undefined : markerId, body, inHtml: options.shared });
    const text = stepText(m, { total: models.length, code: codeLines, objectNumber: (id) => objectNumber.get(id) ?? 0 });
    return { index: m.index, line: m.line, svg, text };
  });
  return shared === undefined ? { width, height, steps } : { width, height, steps, shared: shared + reuse.toString() };
}

type PerStepFrame = { head: FragmentSpec; rows: { name: FragmentSpec; value: FragmentSpec }[] };

const STATIC = new Map<string, Rendered>();
const STATIC_KEYS = new Set([legendFragment(), headerFragment('Frames'), headerFragment('Objects'), headerFragment('Print output')].map((s) => s.key));

const labelWidth = (s: FragmentSpec) => (s.label ?? '').length * SCW;

function ownTexts(into: Layer, s: FragmentSpec, r: Rendered, x: number, y: number) {
  for (const t of s.texts ?? []) {
    const a = t.anchor === undefined ? { x: 0, y: 0 } : r.anchors.get(t.anchor);
    if (a) into.text(x + a.x + t.dx, y + a.y + t.dy, paint(t.colour), t.size, t.s);
  }
}
