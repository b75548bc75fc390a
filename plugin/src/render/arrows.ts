/**
 * Arrow routes, from a reference's dot to the edge of its target's box. A few candidate routes are tried in order of
 * looks (a straight or S-shaped curve into the left edge, a curve into the top or bottom edge, an elbow through the
 * gaps between rows, or down the gap left of the target into its left edge); the first that crosses no other box,
 * no type label (the target's own included: a route into the top edge ends right of it) and no other row of its own
 * object wins, else the one that crosses fewest. In the stacked arrangement (objects below the frames), the arrows
 * from a column of dots to boxes below run down a nested bus on the right instead (see busRoutes).
 */
import type { Box } from './sheet.ts';

export interface Pt {
  x: number;
  y: number;
}

/** The edge of its target an arrow ends on. */
export type Edge = 'left' | 'top' | 'bottom' | 'right';

interface Candidate {
  d: string;
  pts: Pt[];
  /** The corners (an elbow) or a coarse sampling (a curve): enough to count crossings with. */
  coarse?: Pt[];
  /** Its points' samples, made when first tested (a candidate is proposed again and again, see `made`). */
  samples?: Sampled;
}

/** A candidate route as it is proposed: how to make it, where it ends, and the lane it runs along (elbows). */
interface Proposal {
  make: () => Candidate;
  edge: Edge;
  lane?: number;
  /** The vertical gap it runs down, other than its exit column (counted in columnUse). */
  gap?: number;
}

const tenths = (v: number) => Math.round(v * 10);

/**
 * Path data with every command after the first move relative (`c`, `l`, `q`), in tenths of a pixel: an arrow's
 * bytes depend on its shape, not on where it sits, so the same arrow one row lower costs gzip nothing.
 */
export function pathData(cmds: ['M' | 'L' | 'Q' | 'C', ...Pt[]][]): string {
  let d = '';
  let cx = 0;
  let cy = 0;
  for (const [op, ...pts] of cmds) {
    const abs = d === '';
    const xy = pts.map((p) => {
      const x = tenths(p.x) - (abs ? 0 : cx);
      const y = tenths(p.y) - (abs ? 0 : cy);
      return `${x / 10}${y < 0 ? '' : ' '}${y / 10}`;
    });
    d += (abs ? op : op.toLowerCase()) + xy.join(' ');
    const last = pts.at(-1)!;
    cx = tenths(last.x);
    cy = tenths(last.y);
  }
  return d;
}

/** Dots as zero-length subpaths (`M469 69h0m0 26h0`), drawn by a round-capped stroke as wide as a dot. */
export function dotsData(dots: Pt[]): string {
  return pathData(dots.map((p) => ['M', p])).replace(/(?<=\d)(?=[mM]|$)/g, 'h0');
}

/**
 * Candidates made lately, by their corners (an elbow) or control points (a curve): the steps of a figure mostly
 * propose the same routes, whose points are then made once, and so their samples, dense points and grids (kept by
 * points array). Two generations: when the newer fills up, it replaces the older (a hit there moves up), so that
 * forgetting the oldest costs nothing.
 */
let made = new Map<number, Made>();
let older = new Map<number, Made>();
const MADE_KEPT = 512;

/** A candidate, the numbers it was made from, and the next one whose numbers hash alike. */
interface Made {
  from: number[];
  c: Candidate;
  other: Made | undefined;
}

function remembered(from: number[], make: () => Candidate): Candidate {
  let h = from.length;
  for (let i = 0; i < from.length; i++) h = Math.imul(h ^ ((from[i]! * 64) | 0), 0x9e3779b1);
  // A small integer, which the maps hash fastest.
  h &= 0x3fffffff;
  for (let m = made.get(h); m; m = m.other) if (sameNumbers(m.from, from)) return m.c;
  let c: Candidate | undefined;
  for (let m = older.get(h); m && !c; m = m.other) if (sameNumbers(m.from, from)) c = m.c;
  c ??= make();
  if (made.size >= MADE_KEPT) [older, made] = [made, new Map()];
  made.set(h, { from, c, other: made.get(h) });
  return c;
}

function sameNumbers(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function cubic(a: Pt, b: Pt, c: Pt, d: Pt): Candidate {
  return remembered([0, a.x, a.y, b.x, b.y, c.x, c.y, d.x, d.y], () => curve(a, b, c, d));
}

function curve(a: Pt, b: Pt, c: Pt, d: Pt): Candidate {
  const pts: Pt[] = [];
  for (let i = 0; i <= 24; i++) {
    const t = i / 24;
    const u = 1 - t;
    pts.push({
      x: u * u * u * a.x + 3 * u * u * t * b.x + 3 * u * t * t * c.x + t * t * t * d.x,
      y: u * u * u * a.y + 3 * u * u * t * b.y + 3 * u * t * t * c.y + t * t * t * d.y,
    });
  }
  return {
    d: pathData([
      ['M', a],
      ['C', b, c, d],
    ]),
    pts,
    coarse: pts.filter((_, i) => i % 3 === 0 || i === 24),
  };
}

/** An orthogonal route with rounded corners. */
function elbow(points: Pt[]): Candidate {
  const from = [1];
  for (const p of points) from.push(p.x, p.y);
  return remembered(from, () => corners(points));
}

function corners(points: Pt[]): Candidate {
  const pts: Pt[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const n = Math.max(1, Math.ceil(distance(b.x - a.x, b.y - a.y) / 6));
    for (let k = 0; k <= n; k++) pts.push({ x: a.x + ((b.x - a.x) * k) / n, y: a.y + ((b.y - a.y) * k) / n });
  }
  const cmds: Parameters<typeof pathData>[0] = [['M', points[0]!]];
  for (let i = 1; i < points.length - 1; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const c = points[i + 1]!;
    const r = Math.min(6, Math.hypot(b.x - a.x, b.y - a.y) / 2, Math.hypot(c.x - b.x, c.y - b.y) / 2);
    const into = towards(b, a, r);
    const out = towards(b, c, r);
    cmds.push(['L', into], ['Q', b, out]);
  }
  cmds.push(['L', points.at(-1)!]);
  // Its own corners: the candidate is kept (see `made`), the caller's points are not its to keep.
  return { d: pathData(cmds), pts, coarse: points.map(({ x, y }) => ({ x, y })) };
}

/**
 * Math.hypot(dx, dy), which is exactly |dy| when dx is 0 and |dx| when dy is 0: most segments are level or upright,
 * and Math.hypot is a costly call (it boxes its arguments) in the loops that sample routes.
 */
const distance = (dx: number, dy: number) => (dx === 0 ? Math.abs(dy) : dy === 0 ? Math.abs(dx) : Math.hypot(dx, dy));

function towards(from: Pt, to: Pt, r: number): Pt {
  const len = Math.hypot(to.x - from.x, to.y - from.y) || 1;
  return { x: from.x + ((to.x - from.x) * r) / len, y: from.y + ((to.y - from.y) * r) / len };
}

/** The route as points at most `step` px apart, so that thin boxes (a one-line label) cannot slip between samples. */
function dense(pts: Pt[], step = 3): Pt[] {
  const out: Pt[] = [pts[0]!];
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1]!;
    const b = pts[i]!;
    const n = Math.max(1, Math.ceil(distance(b.x - a.x, b.y - a.y) / step));
    for (let k = 1; k <= n; k++) out.push({ x: a.x + ((b.x - a.x) * k) / n, y: a.y + ((b.y - a.y) * k) / n });
  }
  return out;
}

/**
 * The part of its own box an arrow may run through on its way out: its cell, the rest of the cell's row to the
 * box's right edge (a dict's value cell), and anything right of the cell (a frame's padding); for a cell as tall as its box (a list's item),
 * the lower part of the box right of the dot, where its neighbours' arrows leave too.
 */
function way(source: Box, cell: Box, from: Pt): Box[] {
  const right = source.x + source.w - cell.x;
  if (cell.h >= source.h - 4)
    return [cell, { x: cell.x, y: from.y - 4, w: right, h: source.y + source.h - from.y + 4 }];
  const past = cell.x + cell.w;
  return [
    cell,
    { x: cell.x, y: cell.y, w: right, h: cell.h },
    { x: past, y: source.y, w: source.x + source.w - past, h: source.h },
  ];
}

/**
 * How many boxes, labels and rules the candidate crosses, counted up to `enough`: a caller that only compares the
 * count with a bound learns no more from the rest.
 */
function hits(c: Candidate, q: ArrowRequest, obstacles: Box[], enough = Infinity): number {
  c.samples ??= sampled(c.pts);
  const r = c.samples;
  let n = 0;
  for (const o of obstacles) if (crossesBox(r, o, 1) && ++n >= enough) return n;
  for (const l of q.labels?.values() ?? []) if (crossesBox(r, l, 0) && ++n >= enough) return n;
  // Off the canvas, an arrow is cut off.
  const box = q.canvas;
  if (box && someSample(r, leaving(box), (x, y) => x < 1 || y < 1 || x > box.w - 1 || y > box.h - 1)) n++;
  // Stacked, a frame's arrow leaves through its own row and the frame's padding right of the rows, not down through
  // the rows below (beside the objects, it may cut the corner of the next row's cell on its way).
  const padding = q.source.x + q.source.w - FRAME_ROW;
  const inSource = reaching(q.source, 0.5);
  if (q.cell) {
    const ok = way(q.source, q.cell, q.from);
    // Out through its own cell and row only: not down through the box's other rows, not back in.
    if (someSample(r, inSource, (x, y) => insideXY(x, y, q.source, 0.5) && !ok.some((b) => insideXY(x, y, b, -1.5))))
      n++;
  } else if (
    q.stacked &&
    someSample(
      r,
      inSource,
      (x, y) => insideXY(x, y, q.source, 0.5) && Math.abs(y - q.from.y) > FRAME_ROW && x < padding,
    )
  )
    n++;
  return n;
}

const insideXY = (x: number, y: number, b: Box, m = 1) =>
  x > b.x + m && x < b.x + b.w - m && y > b.y + m && y < b.y + b.h - m;

/** Points a route is tested at: `dense(pts, SAMPLE)`. */
const SAMPLE = 3;
/** How far a sampled point may stray from its segment's corners through rounding, at most. */
const SLACK = 1e-6;

/**
 * A route's segments in runs of RUN (the k-th from segment RUN * k + 1 on), each with the bounding box of its corners
 * (x0, y0, x1, y1 at 4 * k), which holds every point sampled on it.
 */
interface Sampled {
  pts: Pt[];
  boxes: Float64Array;
}
const RUN = 8;

function sampled(pts: Pt[]): Sampled {
  const boxes = new Float64Array(Math.ceil((pts.length - 1) / RUN) * 4);
  // bbox() of each run, written out: an object for each was most of what sampling a candidate allocated.
  for (let from = 1, k = 0; from < pts.length; from += RUN, k += 4) {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (let i = from - 1; i < Math.min(from + RUN, pts.length); i++) {
      const p = pts[i]!;
      if (p.x < x0) x0 = p.x;
      if (p.y < y0) y0 = p.y;
      if (p.x > x1) x1 = p.x;
      if (p.y > y1) y1 = p.y;
    }
    boxes[k] = x0;
    boxes[k + 1] = y0;
    boxes[k + 2] = x1;
    boxes[k + 3] = y1;
  }
  return { pts, boxes };
}

/** Whether a bounding box may hold a point inside `o` (margin m). */
const reaching = (o: Box, m: number) => (x0: number, y0: number, x1: number, y1: number) =>
  x1 + SLACK > o.x + m && x0 - SLACK < o.x + o.w - m && y1 + SLACK > o.y + m && y0 - SLACK < o.y + o.h - m;

/** Whether a bounding box may hold a point off the canvas (within 1 px of its edge). */
const leaving = (c: { w: number; h: number }) => (x0: number, y0: number, x1: number, y1: number) =>
  x0 - SLACK < 1 || y0 - SLACK < 1 || x1 + SLACK > c.w - 1 || y1 + SLACK > c.h - 1;

/**
 * Whether a point of `dense(r.pts, SAMPLE)` passes `test`, as testing every point would say; the points are made
 * only in the segments whose bounding box `reach`es, since no other point can pass.
 */
function someSample(
  r: Sampled,
  reach: (x0: number, y0: number, x1: number, y1: number) => boolean,
  test: (x: number, y: number) => boolean,
): boolean {
  const { pts, boxes } = r;
  if (test(pts[0]!.x, pts[0]!.y)) return true;
  for (let k = 0; k < boxes.length; k += 4) {
    if (!reach(boxes[k]!, boxes[k + 1]!, boxes[k + 2]!, boxes[k + 3]!)) continue;
    for (let i = (k / 4) * RUN + 1; i < Math.min((k / 4 + 1) * RUN + 1, pts.length); i++) {
      const a = pts[i - 1]!;
      const b = pts[i]!;
      if (!reach(Math.min(a.x, b.x), Math.min(a.y, b.y), Math.max(a.x, b.x), Math.max(a.y, b.y))) continue;
      const n = Math.max(1, Math.ceil(distance(b.x - a.x, b.y - a.y) / SAMPLE));
      for (let k = 1; k <= n; k++) if (test(a.x + ((b.x - a.x) * k) / n, a.y + ((b.y - a.y) * k) / n)) return true;
    }
  }
  return false;
}

/**
 * Whether a point of `dense(r.pts, SAMPLE)` lies inside `o` (margin m): someSample with `reaching` and `insideXY`,
 * written out for the test every box and label gets, which made two closures (and boxed every point) each time.
 */
function crossesBox(r: Sampled, o: Box, m: number): boolean {
  const { pts, boxes } = r;
  const x0 = o.x + m;
  const x1 = o.x + o.w - m;
  const y0 = o.y + m;
  const y1 = o.y + o.h - m;
  if (pts[0]!.x > x0 && pts[0]!.x < x1 && pts[0]!.y > y0 && pts[0]!.y < y1) return true;
  for (let k = 0; k < boxes.length; k += 4) {
    if (
      !(
        boxes[k + 2]! + SLACK > x0 &&
        boxes[k]! - SLACK < x1 &&
        boxes[k + 3]! + SLACK > y0 &&
        boxes[k + 1]! - SLACK < y1
      )
    )
      continue;
    for (let i = (k / 4) * RUN + 1; i < Math.min((k / 4 + 1) * RUN + 1, pts.length); i++) {
      const a = pts[i - 1]!;
      const b = pts[i]!;
      if (Math.max(a.x, b.x) + SLACK <= x0 || Math.min(a.x, b.x) - SLACK >= x1) continue;
      if (Math.max(a.y, b.y) + SLACK <= y0 || Math.min(a.y, b.y) - SLACK >= y1) continue;
      const n = Math.max(1, Math.ceil(distance(b.x - a.x, b.y - a.y) / SAMPLE));
      for (let j = 1; j <= n; j++) {
        const x = a.x + ((b.x - a.x) * j) / n;
        const y = a.y + ((b.y - a.y) * j) / n;
        if (x > x0 && x < x1 && y > y0 && y < y1) return true;
      }
    }
  }
  return false;
}

/** How far from its dot an arrow may stray inside its own frame: within the dot's row. */
const FRAME_ROW = 11;

export interface ArrowRequest {
  /** The dot's centre. */
  from: Pt;
  /** The box the dot sits in: the route may cross it only through `cell`'s row. */
  source: Box;
  /** The cell the dot sits in. */
  cell?: Box;
  target: Box;
  /** Every box a route should not cross (source and target are skipped). */
  obstacles: Box[];
  /** Each box's type label (above it), by box: no route crosses one, the target's included. */
  labels?: Map<Box, Box>;
  /** Free horizontal lanes (the gaps between rows of objects), as y values. */
  lanes: number[];
  /** Free vertical lanes (gaps between columns), as x values. */
  columns: number[];
  /** The figure's size: a route that leaves it counts as crossing a box. */
  canvas?: { w: number; h: number };
  /** How many routes of this step already run down each column; route() counts the ones it takes. */
  columnUse?: Map<number, number>;
  /** The same for the horizontal lanes. */
  laneUse?: Map<number, number>;
  /** Where to end, when the step spreads the arrows into one edge of a box: the edge and the coordinate along it. */
  arrive?: { edge: Edge; at: number };
  /** The heights of the dots in the target box whose arrows leave it upwards: an arrow into its right edge from below comes in under them. */
  leaving?: number[];
  /** Routes already drawn in this step (coarse points): among routes that cross no box, the one that crosses fewest of these wins. */
  drawn?: Pt[][];
  /** The same routes, as points a few px apart: a route that runs along one of these loses to one that crosses it. */
  along?: Pt[][];
  /** The objects sit below the frames (the stacked arrangement): a frame's arrows run round by a gutter on the left. */
  stacked?: boolean;
  /** Stacked, the left edge of the objects: the gutter's lanes run left of it. */
  gutter?: number;
}

/** A route, and where it ends. */
export interface Route {
  d: string;
  edge: Edge;
  end: Pt;
  coarse: Pt[];
  /** Points along the route, a few px apart. */
  pts?: Pt[];
}

/** Where along an edge [lo, hi] an arrow ends: `want`, kept inside. Undefined when the edge has no room. */
const along = (lo: number, hi: number, want: number) => (hi < lo ? undefined : Math.min(Math.max(want, lo), hi));

/** Path data of one arrow's route (see {@link routeStep} for a step's arrows, which keeps them apart). */
export function route(q: ArrowRequest): string {
  return routeOne(q).d;
}

/** Offsets 0, -g, +g, -2g, ... for the n-th route along one lane or column, so that routes run side by side. */
const sideBySide = (n: number, g: number) => (n % 2 ? 1 : -1) * Math.ceil(n / 2) * g;

/** Where the step spreads its arrows into `edge` of the target, if it does: the coordinate along that edge. */
function arrival(q: ArrowRequest, edge: Edge): number | undefined {
  return q.arrive?.edge === edge ? q.arrive.at : undefined;
}

/** Where a route may end on each edge of its target, and facts about its source that every kind of route needs. */
interface Ends {
  /** The top edge is free only from here on (right of the target's type label). */
  topLo: number;
  topX: number | undefined;
  bottomX: number | undefined;
  leftY: number;
  rightY: number;
  /** The source box's right edge. */
  sourceRight: number;
  /** The dot sits in a list item (a cell as tall as its box). */
  item: boolean;
}

/** The end points on each edge of the target, computed once so that every proposed route agrees on them. */
function endsOf(q: ArrowRequest): Ends {
  const { from: s, target: t } = q;
  const label = q.labels?.get(t);
  // The top edge is free only right of the label; an arrow that came from the left ends near the left.
  const topLo = Math.max(t.x + 8, label ? label.x + label.w + 2 : -Infinity);
  const want = t.x + Math.min(Math.max(t.w / 2, 8), 40);
  const sourceRight = q.source.x + q.source.w;
  // From above or below and right of the target's left part: end past the source's right edge, not in a hook back.
  const endX = (lo: number) => along(lo, t.x + t.w - 8, s.x > t.x + 8 ? Math.max(want, sourceRight + 10) : want);
  const topX = arrival(q, 'top') ?? endX(topLo);
  const bottomX = arrival(q, 'bottom') ?? endX(t.x + 8);
  const firstRow = t.y + Math.min(t.h / 2, 11);
  const leftY = arrival(q, 'left') ?? firstRow;
  // From below, into the lower part of the right edge: under the box's own arrows that leave right and loop up
  // (a linked list stacked down the column), not across them.
  const low = t.y + t.h - Math.min(t.h / 2, 11);
  // Below the lowest dot that leaves the box near there, so as not to run into that dot's arrow.
  const below = Math.max(low, ...(q.leaving ?? []).filter((y) => y > low - 8).map((y) => y + 7));
  const rightY = arrival(q, 'right') ?? (s.y > t.y + t.h && below <= t.y + t.h - 3 ? below : firstRow);
  // A list item's arrow to a box wholly above or below leaves up or down out of its own cell, not along its row.
  const item = q.cell !== undefined && q.cell.h >= q.source.h - 4;
  return { topLo, topX, bottomX, leftY, rightY, sourceRight, item };
}

/** A list item's routes to a box wholly above or below: up or down out of its own cell, not along its row. */
function itemRoutes(q: ArrowRequest, ends: Ends): Proposal[] {
  const { from: s, target: t } = q;
  const cands: Proposal[] = [];
  if (!ends.item) return cands;
  if (!(t.y + t.h < q.source.y - 8 || t.y > q.source.y + q.source.h + 8)) return sideways(q, ends);
  const up = t.y + t.h < q.source.y;
  const edge: Edge = up ? 'bottom' : 'top';
  // Into the top edge right of the target's type label.
  const x = arrival(q, edge) ?? along(up ? t.x + 8 : ends.topLo, t.x + t.w - 8, s.x) ?? t.x + t.w / 2;
  const e = { x, y: up ? t.y + t.h : t.y };
  const k = Math.max(16, Math.abs(e.y - s.y) * 0.5) * (up ? -1 : 1);
  cands.push({ edge, make: () => cubic(s, { x: s.x, y: s.y + k }, { x: e.x, y: e.y - k }, e) });
  // Blocked (its own type label above the first cell): down under its neighbours' dots, out past the box, then
  // up or down into the same edge.
  const by = q.source.y + (up ? q.source.h - 3 : 3);
  const bx = ends.sourceRight + 8 + sideBySide(q.columnUse?.get(ends.sourceRight) ?? 0, 5);
  const ex = arrival(q, edge) ?? along(t.x + 8, t.x + t.w - 8, bx);
  if (ex !== undefined && Math.abs(ex - bx) < 1) {
    cands.push({
      edge,
      gap: ends.sourceRight,
      make: () => elbow([s, { x: s.x, y: by }, { x: bx, y: by }, { x: bx, y: e.y }]),
    });
  }
  // Blocked (the target's type label in the way): into its left edge.
  cands.push(...sideways(q, ends));
  return cands;
}

/**
 * A list item's route into the left edge of a target to the right, higher or lower than its dot: up or down out of
 * its own cell first, then across, so that it does not run along its row through its neighbours' dots (whose own
 * arrows leave there). Only for an item with neighbours.
 */
function sideways(q: ArrowRequest, ends: Ends): Proposal[] {
  const { from: s, target: t, cell } = q;
  if (!cell || cell.w > q.source.w - 4 || t.x - s.x < 24) return [];
  const e = { x: t.x, y: ends.leftY };
  const dy = e.y - s.y;
  if (Math.abs(dy) < 12) return [];
  const k = (e.x - s.x) * 0.5;
  return [{ edge: 'left', make: () => cubic(s, { x: s.x, y: s.y + dy * 0.6 }, { x: e.x - k, y: e.y }, e) }];
}

/** The route into the left edge of a target well to the right: level when the dot is within its height, else an S-curve. */
function leftRoutes(q: ArrowRequest, ends: Ends): Proposal[] {
  const { from: s, target: t } = q;
  if (t.x - s.x < 16) return [];
  const level =
    arrival(q, 'left') === undefined ? s.y >= t.y + 4 && s.y <= t.y + t.h - 4 : Math.abs(ends.leftY - s.y) < 0.5;
  const e = { x: t.x, y: level ? s.y : ends.leftY };
  if (!level) {
    const k = Math.max(16, (e.x - s.x) * 0.5);
    return [{ edge: 'left', make: () => cubic(s, { x: s.x + k, y: s.y }, { x: e.x - k, y: e.y }, e) }];
  }
  const pts: Pt[] = [];
  for (let x = s.x; x < e.x; x += 6) pts.push({ x, y: s.y });
  pts.push(e);
  return [
    {
      edge: 'left',
      make: () => ({
        d: pathData([
          ['M', s],
          ['L', e],
        ]),
        pts,
        coarse: [s, e],
      }),
    },
  ];
}

/**
 * Loops out to the right and back into the right edge, for pointers back up or to the left (cycles); wider ones clear
 * a label that runs past a box's right edge (a note such as "✱ changed").
 */
function rightLoops(q: ArrowRequest, ends: Ends): Proposal[] {
  const { from: s, target: t } = q;
  const loop = (wider: number): Proposal => ({
    edge: 'right',
    make: () => {
      const e = { x: t.x + t.w, y: ends.rightY };
      const d = Math.max(28, Math.abs(e.y - s.y) / 2, s.x - e.x + 28) + wider;
      return cubic(s, { x: s.x + d, y: s.y }, { x: e.x + d, y: e.y }, e);
    },
  });
  // Under a dot of the target whose own arrow loops out right: wider, round that loop rather than along it.
  const w0 = (q.leaving ?? []).some((y) => Math.abs(y - ends.rightY) < 12) ? 16 : 0;
  return [loop(w0), loop(w0 + 20), loop(w0 + 40)];
}

/**
 * Routes into the top or bottom edge at x0, or further along it (past a label in the way): each as a curve, then as
 * an elbow straight out to the right and straight up or down (for a target just above or below).
 */
function verticalRoutes(q: ArrowRequest, ends: Ends, x0: number | undefined, y: number, edge: Edge): Proposal[] {
  const { from: s, target: t } = q;
  const cands: Proposal[] = [];
  if (x0 === undefined) return cands;
  const k = Math.max(16, Math.abs(y - s.y) * 0.6) * (y > s.y ? -1 : 1);
  const last = arrival(q, edge) !== undefined ? x0 : Math.max(x0, t.x + t.w - 8);
  for (let x = x0; x <= last; x += 16) {
    const e = { x, y };
    cands.push({
      edge,
      make: () => cubic(s, { x: s.x + Math.max(16, Math.abs(e.x - s.x) * 0.5), y: s.y }, { x: e.x, y: e.y + k }, e),
    });
    if (x > ends.sourceRight + 6) cands.push({ edge, make: () => elbow([s, { x, y: s.y }, { x, y }]) });
  }
  return cands;
}

/** The curved routes (no elbows through lanes), in order of looks: into the left, top or bottom edge, else loops. */
function curveRoutes(q: ArrowRequest, ends: Ends): Proposal[] {
  const { from: s, target: t } = q;
  const cands = [...itemRoutes(q, ends), ...leftRoutes(q, ends)];
  const loops = rightLoops(q, ends);
  if (s.y < t.y - 12) cands.push(...verticalRoutes(q, ends, ends.topX, t.y, 'top'));
  if (s.y > t.y + t.h + 12) {
    // A short loop when the target's right edge is near (a cycle between neighbours), else straight up into it.
    if (t.x - s.x < 16 && t.x + t.w - s.x < 60) cands.push(...loops);
    cands.push(...verticalRoutes(q, ends, ends.bottomX, t.y + t.h, 'bottom'));
  }
  if (t.x - s.x < 16 && s.y <= t.y + t.h + 12) cands.push(...loops);
  return cands;
}

/** The column an elbow leaves the source by, and how many of the step's elbows already take it. */
interface Exit {
  column: number;
  nth: number;
  x: number;
}

/** The free column right of the source that elbows leave by, offset so that arrows of one step run side by side. */
function exitOf(q: ArrowRequest, ends: Ends): Exit {
  const column = q.columns.filter((x) => x > ends.sourceRight).sort((a, b) => a - b)[0] ?? ends.sourceRight + 10;
  // Arrows of one step that take the same column, or the same lane, run side by side, not on top of each other.
  let nth = q.columnUse?.get(column) ?? 0;
  // At the figure's right edge, side by side leftwards only.
  const at = (n: number) =>
    q.canvas && column + sideBySide(n, 6) > q.canvas.w - 4 ? column - 6 * n : column + sideBySide(n, 6);
  // Stacked, not along a drawn route that runs down the same column (the frames' bus) between source and target.
  while (q.stacked && nth < 8 && runsDown(q, at(nth))) nth++;
  return { column, nth, x: at(nth) };
}

/** Whether a drawn route runs down near x (within 3 px, for 12 px or more) between an arrow's dot and its target. */
function runsDown(q: ArrowRequest, x: number): boolean {
  const y0 = Math.min(q.from.y, q.target.y);
  const y1 = Math.max(q.from.y, q.target.y + q.target.h);
  return (q.along ?? []).some((r) => r.filter((p) => Math.abs(p.x - x) < 3 && p.y > y0 && p.y < y1).length >= 4);
}

/**
 * Elbows: out to the exit column, along a free lane, then into the top or bottom edge, or down the gap left of the
 * target into its left edge.
 */
function elbowRoutes(q: ArrowRequest, ends: Ends, exitX: number): Proposal[] {
  const { from: s, target: t } = q;
  const cands: Proposal[] = [];
  // A list item's elbow runs out under its neighbours' dots, not through them.
  const under = ends.item ? q.source.y + q.source.h - 3 : s.y;
  const out = (x: number): Pt[] => (ends.item ? [s, { x: s.x, y: under }, { x, y: under }] : [s, { x, y: s.y }]);
  const lanes = [...q.lanes].sort((a, b) => Math.abs(a - t.y) - Math.abs(b - t.y));
  const laneY = (y: number) => y + sideBySide(q.laneUse?.get(y) ?? 0, 5);
  const wantX = t.x + Math.min(Math.max(t.w / 2, 8), 40);
  const laneTopX = arrival(q, 'top') ?? along(ends.topLo, t.x + t.w - 8, wantX);
  const laneBottomX = arrival(q, 'bottom') ?? along(t.x + 8, t.x + t.w - 8, wantX);
  // Down or up the exit column, where it runs right of the target, and into its right edge.
  const rightY = ends.rightY;
  if (exitX > t.x + t.w + 12 && Math.abs(rightY - s.y) > 12)
    cands.push({
      edge: 'right',
      make: () => elbow([...out(exitX), { x: exitX, y: rightY }, { x: t.x + t.w, y: rightY }]),
    });
  // Stacked, from below, above the target's own arrows that leave right and run down past it: not across them.
  const over = Math.min(...(q.leaving ?? [])) - 7;
  if (q.stacked && exitX > t.x + t.w + 12 && s.y > t.y + t.h && over >= t.y + 4 && over < rightY)
    cands.push({
      edge: 'right',
      make: () => elbow([...out(exitX), { x: exitX, y: over }, { x: t.x + t.w, y: over }]),
    });
  for (const lane of lanes) {
    const y = laneY(lane);
    if (lane <= t.y && laneTopX !== undefined) {
      cands.push({
        edge: 'top',
        lane,
        make: () => elbow([...out(exitX), { x: exitX, y }, { x: laneTopX, y }, { x: laneTopX, y: t.y }]),
      });
    } else if (lane >= t.y + t.h) {
      cands.push({
        edge: 'bottom',
        lane,
        make: () => elbow([...out(exitX), { x: exitX, y }, { x: laneBottomX!, y }, { x: laneBottomX!, y: t.y + t.h }]),
      });
    }
  }
  const leftY = ends.leftY;
  for (const lane of lanes) {
    const y = laneY(lane);
    // Up from below runs further out than down from above, so that a pair of arrows (a cycle) do not overlap.
    const gap = t.x - (lane > t.y ? 20 : 10);
    const gx = gap - 5 * (q.columnUse?.get(gap) ?? 0);
    cands.push({
      edge: 'left',
      lane,
      gap,
      make: () => elbow([...out(exitX), { x: exitX, y }, { x: gx, y }, { x: gx, y: leftY }, { x: t.x, y: leftY }]),
    });
  }
  return cands;
}

/** Proposes every route in order of looks, takes the best, and counts the column and lane it uses for the step. */
function routeOne(q: ArrowRequest): Route {
  const { from: s, target: t } = q;
  const obstacles = q.obstacles.filter((o) => o !== q.source && o !== q.target);
  const ends = endsOf(q);
  const cands = curveRoutes(q, ends);
  const exit = exitOf(q, ends);
  const firstElbow = cands.length;
  cands.push(...elbowRoutes(q, ends, exit.x));
  const lastElbow = cands.length;
  if (cands.length === 0) {
    const e = { x: t.x + t.w, y: ends.rightY };
    cands.push({ edge: 'right', make: () => cubic(s, { x: s.x + 40, y: s.y }, { x: e.x + 40, y: e.y }, e) });
  }
  const { best, at } = choose(cands, q, obstacles);
  const gap = cands[at]!.gap;
  if (gap !== undefined) q.columnUse?.set(gap, (q.columnUse.get(gap) ?? 0) + 1);
  if (at >= firstElbow && at < lastElbow) {
    q.columnUse?.set(exit.column, exit.nth + 1);
    const lane = cands[at]!.lane;
    if (lane !== undefined) q.laneUse?.set(lane, (q.laneUse.get(lane) ?? 0) + 1);
  }
  return { d: best.d, edge: cands[at]!.edge, end: best.pts.at(-1)!, coarse: best.coarse ?? best.pts, pts: best.pts };
}

/** How many candidates that cross no box are weighed against the routes already drawn. */
const WEIGH = 4;

/**
 * The first candidate that crosses no box, no label and no other row of its own object; when routes are already
 * drawn, the one among the first few such that crosses fewest of them. Else the one that crosses fewest boxes.
 */
function choose(cands: Proposal[], q: ArrowRequest, obstacles: Box[]): { best: Candidate; at: number } {
  let best: Candidate | undefined;
  let at = 0;
  let bestHits = Infinity;
  let bestCross = Infinity;
  let clear = 0;
  for (const [i, p] of cands.entries()) {
    const c = p.make();
    // Once a clear candidate is known, one that hits anything loses: its first hit settles it.
    const h = hits(c, q, obstacles, clear > 0 ? 1 : bestHits);
    if (h > 0) {
      if (clear === 0 && h < bestHits) [best, at, bestHits] = [c, i, h];
      continue;
    }
    // Running along a drawn route is worse than crossing it: the eye cannot tell the two apart there.
    const x = q.drawn?.length ? crossings(c, q, clear === 0 ? Infinity : bestCross) : 0;
    if (clear === 0 || x < bestCross) [best, at, bestHits, bestCross] = [c, i, 0, x];
    clear++;
    if (bestCross === 0 || clear >= WEIGH) break;
  }
  return { best: best!, at };
}

/**
 * The drawn routes a clear candidate crosses or runs along, counted up to `enough` (the count to beat): past it, the
 * candidate loses whatever the rest would add.
 */
function crossings(c: Candidate, q: ArrowRequest, enough: number): number {
  const x = crossCount(c.coarse ?? c.pts, q.drawn ?? []);
  c.samples ??= sampled(c.pts);
  return x >= enough ? x : x + alongside(c.samples, q.along ?? [], enough - x);
}

type BBox = { x0: number; y0: number; x1: number; y1: number };

/** Bounding boxes of drawn routes, which do not change once drawn; the length guards against one that did. */
const boxes = new WeakMap<Pt[], { length: number; box: BBox }>();

function boxOf(route: Pt[]): BBox {
  const known = boxes.get(route);
  if (known && known.length === route.length) return known.box;
  const box = bbox(route);
  boxes.set(route, { length: route.length, box });
  return box;
}

/** The bounding box of pts. */
function bbox(pts: Pt[]): BBox {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of pts) {
    if (p.x < x0) x0 = p.x;
    if (p.y < y0) y0 = p.y;
    if (p.x > x1) x1 = p.x;
    if (p.y > y1) y1 = p.y;
  }
  return { x0, y0, x1, y1 };
}

/** Whether segments ab and cd cross (touching ends do not count). */
function segmentsCross(a: Pt, b: Pt, c: Pt, d: Pt): boolean {
  const o = (p: Pt, r: Pt, u: Pt) => (r.x - p.x) * (u.y - p.y) - (r.y - p.y) * (u.x - p.x);
  return o(a, b, c) * o(a, b, d) < 0 && o(c, d, a) * o(c, d, b) < 0;
}

/** How many of the drawn routes a polyline crosses (each route counted once). */
function crossCount(pts: Pt[], drawn: Pt[][]): number {
  const b = bbox(pts);
  let n = 0;
  for (const other of drawn) {
    const o = boxOf(other);
    if (o.x1 < b.x0 || o.x0 > b.x1 || o.y1 < b.y0 || o.y0 > b.y1) continue;
    let hit = false;
    for (let i = 1; i < pts.length && !hit; i++)
      for (let j = 1; j < other.length && !hit; j++)
        hit = segmentsCross(pts[i - 1]!, pts[i]!, other[j - 1]!, other[j]!);
    if (hit) n++;
  }
  return n;
}

/** How many of the drawn routes (points a few px apart) a route runs along: within 3 px for 12 px or more. */
function alongside(r: Sampled, drawn: Pt[][], enough = Infinity): number {
  // Dense points lie on the route's segments, so they have its bounding box: no drawn route near it, nothing to do.
  const b = bbox(r.pts);
  let n = 0;
  for (const other of drawn) {
    const o = boxOf(other);
    if (o.x0 - b.x1 >= NEAR || b.x0 - o.x1 >= NEAR || o.y0 - b.y1 >= NEAR || b.y0 - o.y1 >= NEAR) continue;
    if (nearRun(r, gridOf(other), o) >= 12 && ++n >= enough) return n;
  }
  return n;
}

/**
 * The longest run, in px, of the route's points 2 px apart (`dense(pts, 2)`, walked without building it) that lie
 * within NEAR px of the grid's route; stops at 12, which is enough to count.
 */
function nearRun(r: Sampled, grid: Grid, o: BBox): number {
  const { pts, boxes } = r;
  let run = 0;
  let px = pts[0]!.x;
  let py = pts[0]!.y;
  for (let i = 1; i < pts.length; i++) {
    // A whole run of segments (see Sampled) that stays NEAR clear of the box: on to its last one, as below.
    if ((i - 1) % RUN === 0 && farBox(boxes, ((i - 1) / RUN) * 4, o)) i = Math.min(i - 1 + RUN, pts.length - 1);
    const a = pts[i - 1]!;
    const b = pts[i]!;
    const n = Math.max(1, Math.ceil(distance(b.x - a.x, b.y - a.y) / 2));
    // A segment that stays NEAR clear of the route's box breaks the run at each of its points: only its last counts.
    if (farFrom(a, b, o)) {
      run = 0;
      px = a.x + ((b.x - a.x) * n) / n;
      py = a.y + ((b.y - a.y) * n) / n;
      continue;
    }
    for (let k = 1; k <= n; k++) {
      const x = a.x + ((b.x - a.x) * k) / n;
      const y = a.y + ((b.y - a.y) * k) / n;
      const maybe = x - o.x1 < NEAR && o.x0 - x < NEAR && y - o.y1 < NEAR && o.y0 - y < NEAR;
      run = maybe && isNear(grid, x, y) ? run + distance(x - px, y - py) : 0;
      if (run >= 12) return run;
      px = x;
      py = y;
    }
  }
  return run;
}

/** Whether every point sampled on the run of segments whose box starts at boxes[k] lies NEAR px or more outside `o`. */
const farBox = (boxes: Float64Array, k: number, o: BBox) =>
  boxes[k]! - o.x1 >= NEAR + SLACK ||
  o.x0 - boxes[k + 2]! >= NEAR + SLACK ||
  boxes[k + 1]! - o.y1 >= NEAR + SLACK ||
  o.y0 - boxes[k + 3]! >= NEAR + SLACK;

/** Whether every point sampled on segment ab (which strays SLACK at most) lies NEAR px or more outside the box. */
const farFrom = (a: Pt, b: Pt, o: BBox) =>
  Math.min(a.x, b.x) - o.x1 >= NEAR + SLACK ||
  o.x0 - Math.max(a.x, b.x) >= NEAR + SLACK ||
  Math.min(a.y, b.y) - o.y1 >= NEAR + SLACK ||
  o.y0 - Math.max(a.y, b.y) >= NEAR + SLACK;

/**
 * A route's points bucketed in cells of NEAR px, so that the points near a point are found in 9 cells. `around` has a
 * bit for every cell next to one with points (over the route's cells and one more on each side, `cx0`, `cy0` on,
 * `rows` per column), so that a point with none near is told by one look; `first` and `next` chain the points (by
 * index, plus one) whose cells share a hash slot, and `keys` holds each point's cell.
 */
interface Grid {
  route: Pt[];
  cx0: number;
  cy0: number;
  columns: number;
  rows: number;
  around: Uint32Array;
  keys: Float64Array;
  first: Int32Array;
  next: Int32Array;
}
const NEAR = 3;
const cellKey = (cx: number, cy: number) => cx * 65536 + cy;
const slotOf = (cx: number, cy: number, mask: number) => (Math.imul(cx, 73856093) ^ Math.imul(cy, 19349663)) & mask;
/** Grids of drawn routes, which are not changed once drawn; the length guards against one that was. */
const grids = new WeakMap<Pt[], { length: number; grid: Grid }>();

function gridOf(route: Pt[]): Grid {
  const known = grids.get(route);
  if (known && known.length === route.length) return known.grid;
  const b = bbox(route);
  const cx0 = Math.floor(b.x0 / NEAR) - 1;
  const cy0 = Math.floor(b.y0 / NEAR) - 1;
  const columns = Math.floor(b.x1 / NEAR) + 2 - cx0;
  const rows = Math.floor(b.y1 / NEAR) + 2 - cy0;
  const mask = (1 << Math.ceil(Math.log2(route.length * 2 + 1))) - 1;
  const grid: Grid = {
    route,
    cx0,
    cy0,
    columns,
    rows,
    around: new Uint32Array(Math.ceil((columns * rows) / 32)),
    keys: new Float64Array(route.length),
    first: new Int32Array(mask + 1),
    next: new Int32Array(route.length),
  };
  route.forEach((o, i) => place(grid, i, Math.floor(o.x / NEAR), Math.floor(o.y / NEAR)));
  grids.set(route, { length: route.length, grid });
  return grid;
}

/** Puts the grid route's i-th point, in cell (cx, cy), in its chain, and marks the cells around it. */
function place(grid: Grid, i: number, cx: number, cy: number) {
  const slot = slotOf(cx, cy, grid.first.length - 1);
  grid.keys[i] = cellKey(cx, cy);
  grid.next[i] = grid.first[slot]!;
  grid.first[slot] = i + 1;
  for (let dx = -1; dx <= 1; dx++)
    for (let dy = -1; dy <= 1; dy++) {
      const bit = (cx + dx - grid.cx0) * grid.rows + cy + dy - grid.cy0;
      grid.around[bit >> 5]! |= 1 << (bit & 31);
    }
}

/** Whether a point of the grid's route is within NEAR px of (x, y) on both axes (as a scan of all its points would say). */
function isNear(grid: Grid, x: number, y: number): boolean {
  const cx = Math.floor(x / NEAR);
  const cy = Math.floor(y / NEAR);
  const i = cx - grid.cx0;
  const j = cy - grid.cy0;
  if (i < 0 || j < 0 || i >= grid.columns || j >= grid.rows) return false;
  const bit = i * grid.rows + j;
  return (grid.around[bit >> 5]! & (1 << (bit & 31))) !== 0 && nearIn(grid, cx, cy, x, y);
}

/** isNear's look at the 9 cells around (cx, cy), apart so that isNear is small enough to inline where it is called. */
function nearIn(grid: Grid, cx: number, cy: number, x: number, y: number): boolean {
  const mask = grid.first.length - 1;
  for (let dx = -1; dx <= 1; dx++)
    for (let dy = -1; dy <= 1; dy++) {
      const key = cellKey(cx + dx, cy + dy);
      for (let p = grid.first[slotOf(cx + dx, cy + dy, mask)]!; p > 0; p = grid.next[p - 1]!) {
        const o = grid.route[p - 1]!;
        if (grid.keys[p - 1] === key && Math.abs(o.x - x) < NEAR && Math.abs(o.y - y) < NEAR) return true;
      }
    }
  return false;
}

/** Least distance, in px, between two arrows that end on one edge of one box. */
const ARRIVAL_GAP = 8;

/**
 * Every arrow of one step. Each is routed on its own first; then the arrows that end on one edge of one box are
 * spread along it, in the order of their sources (so that they do not cross on the way in), and routed again to
 * their own points: two arrows into one box arrive apart, and a reader can count them.
 */
export function routeStep(requests: ArrowRequest[]): string[] {
  const leaving = new Map<Box, number[]>();
  // Only arrows that leave level or upwards: one that goes down is better passed above than followed below; but
  // stacked, one that goes down leaves right to its bus first.
  for (const q of requests)
    if (q.target.y < q.from.y || q.stacked) leaving.set(q.source, [...(leaving.get(q.source) ?? []), q.from.y]);
  const qs = requests.map((q) => ({ ...q, leaving: leaving.get(q.target) ?? [] }));
  const fixed = nestedUp(qs);
  for (const [i, r] of busRoutes(qs)) fixed.set(i, r);
  for (const [i, r] of nestedDown(qs, fixed)) fixed.set(i, r);
  let pass = routeAll(
    qs.map((q) => ({ ...q })),
    fixed,
  );
  const arrive = new Map<number, { edge: Edge; at: number }>();
  // Spread again where a route that was not spread came to end on an edge with others (at most twice more).
  for (let round = 0; round < 3; round++) {
    const before = JSON.stringify([...arrive]);
    spread(qs, pass.routes, fixed, arrive);
    if (JSON.stringify([...arrive]) === before) break;
    pass = routeAll(
      qs.map((q, i) => (arrive.has(i) ? { ...q, arrive: arrive.get(i)! } : { ...q })),
      fixed,
      pass,
    );
  }
  return pass.routes.map((r) => r.d);
}

/**
 * Spreads the routes that end on one edge of one box along it, in the order they come in from, at least
 * ARRIVAL_GAP apart: adds to `arrive` where each should end, for those not spread yet.
 */
function spread(
  qs: ArrowRequest[],
  routes: Route[],
  fixed: Map<number, Route>,
  arrive: Map<number, { edge: Edge; at: number }>,
) {
  const groups = new Map<string, number[]>();
  // Where the routes kept as they are end (on each edge): the others keep clear of those points.
  const pinned = new Map<string, number[]>();
  routes.forEach((r, i) => {
    const t = qs[i]!.target;
    const k = `${t.x},${t.y},${r.edge}`;
    const side = r.edge === 'left' || r.edge === 'right';
    if (fixed.has(i)) pinned.set(k, [...(pinned.get(k) ?? []), side ? r.end.y : r.end.x]);
    else groups.set(k, [...(groups.get(k) ?? []), i]);
  });
  for (const [k, all] of groups) {
    // Routes already spread along this edge stay where they end; only the ones new to it are placed, clear of them.
    const edgeOf = (i: number) =>
      routes[i]!.edge === 'left' || routes[i]!.edge === 'right' ? routes[i]!.end.y : routes[i]!.end.x;
    const honoured = (i: number) =>
      arrive.get(i)?.edge === routes[i]!.edge && Math.abs(arrive.get(i)!.at - edgeOf(i)) < 0.5;
    const kept = all.filter(honoured);
    const ids = all.filter((i) => !honoured(i));
    const pins = [...(pinned.get(k) ?? []), ...kept.map(edgeOf)];
    const clash = (i: number) => {
      const r = routes[i]!;
      const v = r.edge === 'left' || r.edge === 'right' ? r.end.y : r.end.x;
      return pins.some((p) => Math.abs(p - v) < ARRIVAL_GAP);
    };
    if (ids.length === 0 || ids.length + (ids.some(clash) ? 1 : 0) < 2) continue;
    const t = qs[ids[0]!]!.target;
    const edge = routes[ids[0]!]!.edge;
    const side = edge === 'left' || edge === 'right';
    const [lo, hi] = side ? [t.y + 4, t.y + t.h - 4] : [t.x + 6, t.x + t.w - 6];
    // In the order they come in from (a little before the end), so that they do not cross on the way in.
    const key = (i: number) => {
      const r = routes[i]!;
      const before = [...r.coarse].reverse().find((p) => Math.hypot(p.x - r.end.x, p.y - r.end.y) > 16) ?? qs[i]!.from;
      return (side ? before.y : before.x) * 1000 + (side ? r.end.y : r.end.x);
    };
    const order = [...ids].sort((a, b) => key(a) - key(b) || a - b);
    const gap = Math.min(ARRIVAL_GAP, (hi - lo) / Math.max(1, order.length - 1));
    const at: number[] = [];
    for (const [j, i] of order.entries()) {
      let v = Math.max(side ? routes[i]!.end.y : routes[i]!.end.x, j ? at[j - 1]! + gap : lo);
      while (v < hi && pins.some((p) => Math.abs(p - v) < ARRIVAL_GAP)) v += 1;
      at.push(v);
    }
    // Pushed past the far end: slide back, keeping the gaps.
    for (let j = order.length - 1; j >= 0; j--)
      at[j] = Math.min(at[j]!, j === order.length - 1 ? hi : at[j + 1]! - gap);
    order.forEach((i, j) => arrive.set(i, { edge, at: Math.round(at[j]! * 10) / 10 }));
  }
}

/** A pass of {@link routeAll}: its routes, and for each what had been drawn and counted once it was routed. */
interface Pass {
  qs: ArrowRequest[];
  routes: Route[];
  /** The counts of lanes and columns taken, after each route. */
  uses: { columns: Map<number, number>; lanes: Map<number, number> }[];
  /** Each route's points a few px apart (undefined for a fixed route, whose points every pass makes anew). */
  along: (Pt[] | undefined)[];
}

/**
 * Routes in order, each knowing the lanes and columns the earlier ones took and the routes they drew; `fixed` routes
 * are kept as they are. A route depends only on its request and on the routes before it, so the routes of an
 * `earlier` pass up to the first request that changed since are taken as they were.
 */
function routeAll(qs: ArrowRequest[], fixed = new Map<number, Route>(), earlier?: Pass): Pass {
  let same = 0;
  while (earlier && same < qs.length && sameArrival(qs[same]!, earlier.qs[same]!)) same++;
  const pass: Pass = {
    qs,
    routes: earlier?.routes.slice(0, same) ?? [],
    uses: earlier?.uses.slice(0, same) ?? [],
    along: earlier?.along.slice(0, same) ?? [],
  };
  const last = pass.uses.at(-1);
  const columnUse = new Map(last?.columns);
  const laneUse = new Map(last?.lanes);
  const drawn: Pt[][] = [...fixed.values()].map((r) => r.coarse);
  const along: Pt[][] = [...fixed.values()].map((r) => dotsOf(r.pts ?? r.coarse));
  pass.routes.forEach((r, i) => {
    if (fixed.has(i)) return;
    drawn.push(r.coarse);
    along.push(pass.along[i]!);
  });
  for (let i = same; i < qs.length; i++) {
    const f = fixed.get(i);
    const r = f ?? routeOne({ ...qs[i]!, columnUse, laneUse, drawn, along });
    const dots = f ? undefined : dotsOf(r.pts ?? r.coarse);
    if (dots) {
      drawn.push(r.coarse);
      along.push(dots);
    }
    pass.routes.push(r);
    pass.along.push(dots);
    pass.uses.push({ columns: new Map(columnUse), lanes: new Map(laneUse) });
  }
  return pass;
}

/**
 * A route's points a few px apart, made once for its points (which candidates share, see `made`): every pass and
 * step weighs routes against the same array (and grid).
 */
const alongOf = new WeakMap<Pt[], Pt[]>();
function dotsOf(pts: Pt[]): Pt[] {
  let dots = alongOf.get(pts);
  if (!dots) alongOf.set(pts, (dots = dense(pts, 3)));
  return dots;
}

const sameArrival = (a: ArrowRequest, b: ArrowRequest) =>
  a.arrive?.edge === b.arrive?.edge && a.arrive?.at === b.arrive?.at;

/** Whether a list item's dot lies under its target's bottom edge with no other box (or another's label) between. */
function straightUp(q: ArrowRequest): boolean {
  const { from: s, target: t } = q;
  if (s.x < t.x + 8 || s.x > t.x + t.w - 8) return false;
  const own = q.labels?.get(q.source);
  const between = (b: Box) =>
    b !== q.source &&
    b !== q.target &&
    b !== own &&
    b.x < s.x &&
    b.x + b.w > s.x &&
    b.y < q.source.y &&
    b.y + b.h > t.y + t.h;
  return !q.obstacles.some(between) && ![...(q.labels?.values() ?? [])].some(between);
}

/** Spacing of the nested runs of {@link nestedUp}. */
const NEST = 3;

/** Whether an arrow leaves a list's item for a box wholly above the list. */
const itemUp = (q: ArrowRequest) =>
  q.cell !== undefined && q.cell.h >= q.source.h - 4 && q.target.y + q.target.h < q.source.y - 8;

/**
 * The arrows from list items up to boxes above (a list of objects drawn before it), nested on the right so that
 * none crosses another: each drops out under its list, runs right to a lane of its own past every box on its way,
 * up, and left into its target's right edge (for lists with two such items or more). The leftmost item runs lowest
 * and furthest out; an arrow from a lower list runs further out than one from a higher list; into one box, the one further out arrives higher. An arrow
 * whose nested route would cross a box is left to the ordinary routes. By index into `qs`.
 */
function nestedUp(qs: ArrowRequest[]): Map<number, Route> {
  const out = new Map<number, Route>();
  // Only lists with two such items or more: a single one goes straight up into its target.
  const bySource = new Map<Box, number[]>();
  qs.forEach((q, i) => {
    if (itemUp(q)) bySource.set(q.source, [...(bySource.get(q.source) ?? []), i]);
  });
  // An item right under its target, with nothing between, goes straight up into it as before.
  for (const [src, ids] of bySource) {
    const around = ids.filter((i) => !straightUp(qs[i]!));
    if (around.length < 2) bySource.delete(src);
    else bySource.set(src, around);
  }
  const ups = [...bySource.values()].flat();
  if (ups.length < 2) return out;
  // The level each runs at under its list.
  const level = new Map<number, number>();
  for (const [src, ids] of bySource) {
    ids.sort((a, b) => qs[a]!.from.x - qs[b]!.from.x || a - b);
    ids.forEach((i, r) => level.set(i, src.y + src.h + 3 + (ids.length - 1 - r) * NEST));
  }
  // Outermost first: the lowest run.
  const order = [...ups].sort((a, b) => level.get(b)! - level.get(a)! || a - b);
  const top = Math.min(...ups.map((i) => qs[i]!.target.y));
  const bottom = Math.max(...level.values());
  const q0 = qs[ups[0]!]!;
  let base = 0;
  const canvas = q0.canvas ?? { w: Infinity, h: Infinity };
  for (const b of [...q0.obstacles, ...(q0.labels?.values() ?? []), ...ups.map((i) => qs[i]!.source)]) {
    if (!wall(b, canvas) && b.y < bottom && b.y + b.h > top) base = Math.max(base, b.x + b.w);
  }
  const lane = new Map(order.map((i, m) => [i, base + 8 + (order.length - 1 - m) * NEST]));
  // Arrivals: into each target's right edge, the outer ones higher.
  const byTarget = new Map<Box, number[]>();
  for (const i of order) byTarget.set(qs[i]!.target, [...(byTarget.get(qs[i]!.target) ?? []), i]);
  const arrive = new Map<number, number>();
  for (const [t, ids] of byTarget) {
    const gap = Math.min(ARRIVAL_GAP, (t.h - 8) / Math.max(1, ids.length));
    const first = t.y + t.h / 2 - (gap * (ids.length - 1)) / 2;
    ids.forEach((i, k) => arrive.set(i, Math.round((first + k * gap) * 10) / 10));
  }
  for (const i of order) {
    const q = qs[i]!;
    const x = lane.get(i)!;
    const y = level.get(i)!;
    const a = arrive.get(i)!;
    const run = [q.from, { x: q.from.x, y }, { x, y }];
    const tries: [Edge, Pt[]][] = [['right', [...run, { x, y: a }, { x: q.target.x + q.target.w, y: a }]]];
    // Stacked, with a box beside the target on its right: along the gap above its line into its top edge.
    const over = q.stacked ? laneAbove(q) : undefined;
    const tx = along(endsOf(q).topLo, q.target.x + q.target.w - 6, endsOf(q).topLo + 2);
    if (over !== undefined && tx !== undefined)
      tries.push(['top', [...run, { x, y: over }, { x: tx, y: over }, { x: tx, y: q.target.y }]]);
    const obstacles = q.obstacles.filter((o) => o !== q.source && o !== q.target);
    const found = tries
      .map(([edge, pts]) => [edge, elbow(pts)] as const)
      .find(([, c]) => hits(c, q, obstacles, 1) === 0);
    if (!found) continue;
    const [edge, c] = found;
    out.set(i, { d: c.d, edge, end: c.pts.at(-1)!, coarse: c.coarse ?? c.pts, pts: c.pts });
  }
  return out;
}

function groupBy<T, K>(xs: T[], key: (x: T) => K): Map<K, T[]> {
  const out = new Map<K, T[]>();
  for (const x of xs) out.set(key(x), [...(out.get(key(x)) ?? []), x]);
  return out;
}

/** Spacing of the bus's lanes, and of the runs along one lane between lines of objects. */
const BUS = 5;

/** The lane right above a box and its type label: the gap between its line of objects and the line above. */
function laneAbove(q: ArrowRequest): number | undefined {
  const top = q.labels?.get(q.target)?.y ?? q.target.y;
  return q.lanes.filter((y) => y < top - 2).sort((a, b) => b - a)[0];
}

/** How far right a run down from `y0` to `y1` must keep: clear of every box and label it passes. */
function clearOf(q: ArrowRequest, y0: number, y1: number): number {
  const canvas = q.canvas ?? { w: Infinity, h: Infinity };
  let x = q.source.x + q.source.w + 6;
  for (const b of [...q.obstacles, ...(q.labels?.values() ?? [])]) {
    // The walls of a narrow column (and right of what stands above its band) are not boxes to pass.
    if (b.x + b.w <= 2 || b.x >= canvas.w - 2 || b.w >= 1e4) continue;
    if (b.y < y1 && b.y + b.h > y0) x = Math.max(x, b.x + b.w + 6);
  }
  return x;
}

/**
 * Whether the target stands in the band (below a wall on the right that stops above it) and reaches past that wall:
 * the bus, which runs down right of everything above the band, cannot reach its right edge. `below`: only a target
 * under the band's first line, which the bus cannot reach at all (it comes down the gutter, see nestedDown).
 */
function pastWall(q: ArrowRequest, below = false): boolean {
  const t = q.target;
  return q.obstacles.some((w) => w.w >= 1e4 && w.x > 2 && w.y + w.h < t.y + (below ? -4 : 4) && t.x + t.w + 16 > w.x);
}

/** A frame's arrow on the bus: its request, its index, the lane above its target, its run down and along that lane. */
interface BusArrow {
  q: ArrowRequest;
  i: number;
  lane: number;
  /** The bus lane it runs down. */
  x: number;
  /** Where it runs along the lane above its target's line. */
  y: number;
}

/**
 * The frames' arrows to the objects below them, each with its own lane down the bus (the higher its dot, the
 * further out) and its own run along the lane above its target's line (the further in, the higher).
 */
function busArrows(qs: ArrowRequest[]): BusArrow[] {
  const ids = qs
    .map((q, i) => ({ q, i, lane: laneAbove(q) ?? -Infinity, x: 0, y: 0 }))
    .filter(
      ({ q, lane }) =>
        q.stacked &&
        q.cell !== undefined &&
        lane > q.source.y + q.source.h &&
        q.cell.h < q.source.h - 4 &&
        !pastWall(q, true),
    )
    .sort((a, b) => a.q.from.y - b.q.from.y || a.i - b.i);
  // An object's arrows (its rows' dots one above the other) have a bus of their own. The shorter a bus, the
  // further in: a bus that runs past another's whole length goes outside it (a tree's root's down past its
  // subtree's), where the canvas has room; else just clear of the lanes it would run along.
  const span = (g: BusArrow[]) => [Math.min(...g.map((a) => a.q.from.y)), Math.max(...g.map((a) => a.lane))];
  const groups = [...groupBy(ids, ({ q }) => q.source).values()];
  const length = (g: BusArrow[]) => span(g)[1]! - span(g)[0]!;
  const taken: BusArrow[] = [];
  for (const group of groups.sort((a, b) => length(a) - length(b))) {
    nest(group);
    const [lo, hi] = span(group) as [number, number];
    const passed = taken.filter((b) => b.q.from.y > lo && b.lane < hi);
    const shift = Math.max(0, ...passed.map((b) => b.x + BUS)) - Math.min(...group.map((a) => a.x));
    const right = (group[0]!.q.canvas?.w ?? Infinity) - 4;
    if (shift > 0 && Math.max(...group.map((a) => a.x)) + shift <= right) for (const a of group) a.x += shift;
    const runsAlong = (a: BusArrow, b: BusArrow) =>
      Math.abs(a.x - b.x) < 4 && a.q.from.y < b.lane + BUS && b.q.from.y < a.lane + BUS;
    for (let n = 0; n < 8 && group.some((a) => taken.some((b) => runsAlong(a, b))); n++)
      for (const a of group) a.x += BUS;
    taken.push(...group);
  }
  for (const [lane, on] of groupBy(ids, (a) => a.lane)) {
    on.sort((a, b) => a.x - b.x);
    on.forEach((a, k) => {
      a.y = lane + (k - (on.length - 1) / 2) * (BUS - 1);
    });
  }
  return ids;
}

/**
 * The lanes down the bus of arrows from one column of dots (top first): from the innermost (lowest dot) out, each
 * clear of what it passes (and far enough right of its target for an arrowhead into its right edge) and of the
 * lanes inside it; closer together where the canvas is too narrow.
 */
function nest(ids: BusArrow[]) {
  // Into the band's first line, through the top edge only: the bus keeps inside the wall above the band.
  const clear = ids.map(({ q, lane }) =>
    Math.max(clearOf(q, q.from.y, lane + BUS * 2), pastWall(q) ? 0 : q.target.x + q.target.w + 16),
  );
  const right = (ids[0]?.q.canvas?.w ?? Infinity) - 4;
  for (let gap = BUS; gap >= 3; gap--) {
    let inner = -Infinity;
    for (let k = ids.length - 1; k >= 0; k--) ids[k]!.x = inner = Math.max(clear[k]!, inner + gap);
    if (inner <= right) break;
  }
}

/**
 * Where the bus's arrows into one target end, in the order of their lanes (the inner first), for each way in: on
 * its right edge, from its first row down (clear of its own dots, whose arrows leave there), the inner higher; on
 * its top edge right of its type label, the inner further left; and the run down the gap right of it, the inner
 * nearer.
 */
function busEnds(into: BusArrow[], dots: number[]) {
  const { q } = into[0]!;
  const t = q.target;
  const topLo = endsOf(q).topLo;
  const ys: number[] = [];
  for (let y = t.y + Math.min(t.h / 2, 11); ys.length < into.length && y <= t.y + t.h - 4; y += 2) {
    if (dots.some((d) => Math.abs(d - y) < 7) || (ys.length && y - ys.at(-1)! < ARRIVAL_GAP)) continue;
    ys.push(y);
  }
  return into.map((_, k) => ({
    right: ys[k],
    top: along(topLo, t.x + t.w - 6, topLo + 2 + k * ARRIVAL_GAP),
    gap: t.x + t.w + 6 + k * BUS,
  }));
}

/**
 * The arrows from the frames down to the objects below them (the stacked arrangement), nested so that none crosses
 * another when the objects of lower variables come first (narrow.ts): each runs right from its dot to a lane of its
 * own on the right, down, and left into its target's right edge; or, when other objects stand right of its target,
 * along the gap above the target's line and down the gap right of it; or, failing that, into its top edge right of
 * its type label. An arrow that finds no such route clear of every box is left to the ordinary routes. By index
 * into `qs`.
 */
function busRoutes(qs: ArrowRequest[]): Map<number, Route> {
  const out = new Map<number, Route>();
  const arrows = busArrows(qs);
  const dots = new Map<Box, number[]>();
  for (const q of qs) dots.set(q.source, [...(dots.get(q.source) ?? []), q.from.y]);
  for (const into of groupBy(arrows, (a) => a.q.target).values()) {
    into.sort((a, b) => a.x - b.x);
    const ends = busEnds(into, dots.get(into[0]!.q.target) ?? []);
    into.forEach((a, k) => {
      const { q, x, y } = a;
      const { right, top, gap } = ends[k]!;
      const t = q.target;
      const out0 = [q.from, { x, y: q.from.y }];
      const tries: [Edge, Pt[]][] = [];
      if (right !== undefined) {
        const edge = { x: t.x + t.w, y: right };
        tries.push(['right', [...out0, { x, y: right }, edge]]);
        tries.push(['right', [...out0, { x, y }, { x: gap, y }, { x: gap, y: right }, edge]]);
      }
      if (top !== undefined) tries.push(['top', [...out0, { x, y }, { x: top, y }, { x: top, y: t.y }]]);
      const obstacles = q.obstacles.filter((o) => o !== t && o !== q.source);
      for (const [edge, pts] of tries) {
        const c = elbow(pts);
        if (hits(c, q, obstacles, 1) > 0) continue;
        out.set(a.i, { d: c.d, edge, end: c.pts.at(-1)!, coarse: c.coarse ?? c.pts, pts: c.pts });
        break;
      }
    });
  }
  return out;
}

/** Whether a list item's arrow, stacked, goes down to a box that a curve straight down into its top edge cannot reach. */
function downAround(q: ArrowRequest): boolean {
  const { from: s, target: t, source } = q;
  if (!q.stacked || (q.cell && q.cell.h < source.h - 4) || t.y < source.y + source.h + 8) return false;
  const ends = endsOf(q);
  const e = { x: along(ends.topLo, t.x + t.w - 8, s.x) ?? t.x + t.w / 2, y: t.y };
  const k = Math.max(16, Math.abs(e.y - s.y) * 0.5);
  const c = cubic(s, { x: s.x, y: s.y + k }, { x: e.x, y: e.y - k }, e);
  return (
    hits(
      c,
      q,
      q.obstacles.filter((o) => o !== source && o !== t),
      1,
    ) > 0
  );
}

/** Whether a frame's arrow, stacked, goes down to an object below the frames: it runs round by the gutter. */
const frameDown = (q: ArrowRequest) => q.stacked === true && !q.cell && q.target.y > q.source.y + q.source.h;

/** Whether a box is a wall of a narrow column (or right of what stands above its band), not a box to pass. */
const wall = (b: Box, canvas: { w: number }) => b.x + b.w <= 2 || b.x >= canvas.w - 2 || b.w >= 1e4;

/**
 * The start of each frame's arrow (`frames`: by index into `qs`, top dot first): right out of its dot to a lane of
 * its own right of the frames (the higher dot, the further out), and down to a run of its own under the frames
 * (the higher dot, the lower), the point it then runs left from last.
 */
function frameHeads(qs: ArrowRequest[], frames: number[]): Map<number, Pt[]> {
  const out = new Map<number, Pt[]>();
  if (frames.length === 0) return out;
  const q0 = qs[frames[0]!]!;
  const canvas = q0.canvas ?? { w: Infinity, h: Infinity };
  // The frames: every box above the objects' first lane, below the first dot (the code, when drawn, is above them).
  const first = Math.min(...q0.lanes);
  const top = Math.min(...frames.map((i) => qs[i]!.from.y));
  let [bottom, right] = [-Infinity, -Infinity];
  for (const b of [...q0.obstacles, ...frames.map((i) => qs[i]!.source)]) {
    if (wall(b, canvas) || b.y + b.h >= first || b.y + b.h < top) continue;
    [bottom, right] = [Math.max(bottom, b.y + b.h), Math.max(right, b.x + b.w)];
  }
  const n = frames.length;
  const gap = n < 2 ? BUS : Math.max(2, Math.min(BUS, (canvas.w - 4 - right - 6) / (n - 1)));
  frames.forEach((i, f) => {
    const q = qs[i]!;
    const x = right + 6 + (n - 1 - f) * gap;
    const y = bottom + 3 + (n - 1 - f) * NEST;
    out.set(i, [q.from, { x, y: q.from.y }, { x, y }]);
  });
  return out;
}

/** The gutter's lanes, by index into `qs` (`order`: outermost first), left of every box the gutter runs past. */
function gutterLanes(qs: ArrowRequest[], order: number[], heads: Map<number, Pt[]>): Map<number, number> {
  const top = Math.min(...[...heads.values()].map((h) => h.at(-1)!.y));
  const bottom = Math.max(...order.map((i) => qs[i]!.target.y + qs[i]!.target.h));
  const q0 = qs[order[0]!]!;
  const canvas = q0.canvas ?? { w: Infinity, h: Infinity };
  let base = q0.gutter ?? Infinity;
  for (const b of [...q0.obstacles, ...(q0.labels?.values() ?? [])]) {
    if (wall(b, canvas)) continue;
    if (b.y < bottom && b.y + b.h > top) base = Math.min(base, b.x);
  }
  return new Map(order.map((i, m) => [i, base - 4 - (order.length - 1 - m) * NEST]));
}

/** Where the gutter's arrows end on their targets' left edges (`order`: outermost first): the further out, the lower. */
function gutterArrivals(qs: ArrowRequest[], order: number[]): Map<number, number> {
  const arrive = new Map<number, number>();
  for (const [t, ids] of groupBy(order, (i) => qs[i]!.target)) {
    const gap = Math.min(ARRIVAL_GAP, (t.h - 8) / Math.max(1, ids.length));
    const first = t.y + Math.min(t.h / 2, 11);
    ids.forEach((i, k) =>
      arrive.set(i, Math.round(Math.min(first + (ids.length - 1 - k) * gap, t.y + t.h - 4) * 10) / 10),
    );
  }
  return arrive;
}

/**
 * Stacked, the arrows down a gutter left of the objects, nested so that none crosses another. The frames' arrows
 * (see frameHeads) run left under the frames to the outer lanes (the lower dot, the further out), when the objects
 * of the first variables come first (placement.ts's stackedRowOrder). The arrows from list items down to boxes
 * further below than a curve can reach (past other lines of objects) drop out under their list (the leftmost item
 * highest) and run left to the inner lanes (the leftmost item, and a higher list, further out). Each then runs down
 * and right into its target's left edge (the further out, the lower), or, a frame's with boxes in the way, along
 * the gap above its target's line into its top edge. An arrow whose nested route would cross a box is left to the
 * ordinary routes. By index into `qs`.
 */
function nestedDown(qs: ArrowRequest[], fixed: Map<number, Route>): Map<number, Route> {
  const out = new Map<number, Route>();
  const all = qs.flatMap((q, i) => (!fixed.has(i) && (frameDown(q) || downAround(q)) ? [i] : []));
  if (all.length === 0) return out;
  const frames = all.filter((i) => !qs[i]!.cell).sort((a, b) => qs[a]!.from.y - qs[b]!.from.y || a - b);
  const heads = frameHeads(qs, frames);
  const downs = all.filter((i) => qs[i]!.cell);
  for (const ids of groupBy(downs, (i) => qs[i]!.source).values()) {
    ids.sort((a, b) => qs[a]!.from.x - qs[b]!.from.x || a - b);
    ids.forEach((i, r) => {
      const q = qs[i]!;
      heads.set(i, [q.from, { x: q.from.x, y: q.source.y + q.source.h + 3 + r * NEST }]);
    });
  }
  // Outermost first: the lowest dot of the frames, then the higher list, the leftmost item.
  const order = [
    ...[...frames].reverse(),
    ...downs.sort((a, b) => qs[a]!.source.y - qs[b]!.source.y || qs[a]!.from.x - qs[b]!.from.x),
  ];
  const lane = gutterLanes(qs, order, heads);
  const arrive = gutterArrivals(qs, order);
  const alongLane = new Map<number, number>();
  for (const i of order) {
    const q = qs[i]!;
    const head = heads.get(i)!;
    const [x, a] = [lane.get(i)!, arrive.get(i)!];
    const run = [...head, { x, y: head.at(-1)!.y }];
    const tries: [Edge, Pt[]][] = [['left', [...run, { x, y: a }, { x: q.target.x, y: a }]]];
    const over = q.cell ? undefined : laneAbove(q);
    if (over !== undefined) {
      const n = alongLane.get(over) ?? 0;
      const y = over + sideBySide(n, BUS - 1);
      const tx = along(endsOf(q).topLo, q.target.x + q.target.w - 6, endsOf(q).topLo + 2 + n * ARRIVAL_GAP);
      // Into the band's first line (which pans on a page), through its top edge: the end stays put above the band.
      const top: [Edge, Pt[]] | undefined =
        tx === undefined ? undefined : ['top', [...run, { x, y }, { x: tx, y }, { x: tx, y: q.target.y }]];
      if (top) tries.splice(pastWall(q) && !pastWall(q, true) ? 0 : 1, 0, top);
    }
    const obstacles = q.obstacles.filter((o) => o !== q.source && o !== q.target);
    for (const [edge, pts] of tries) {
      const c = elbow(pts);
      if (hits(c, q, obstacles, 1) > 0) continue;
      if (edge === 'top') alongLane.set(over!, (alongLane.get(over!) ?? 0) + 1);
      out.set(i, { d: c.d, edge, end: c.pts.at(-1)!, coarse: c.coarse ?? c.pts, pts: c.pts });
      break;
    }
  }
  return out;
}
