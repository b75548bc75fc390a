/**
 * Arrow routes, from a reference's dot to the edge of its target's box. A few candidate routes are tried in order of
 * looks (a straight or S-shaped curve into the left edge, a curve into the top or bottom edge, an elbow through the
 * gaps between rows, or down the gap left of the target into its left edge); the first that crosses no other box,
 * no type label (the target's own included: a route into the top edge ends right of it) and no other row of its own
 * object wins, else the one that crosses fewest.
 */
import type { Box } from './sheet.ts';

export interface Pt {
  x: number;
  y: number;
}

interface Candidate {
  d: string;
  pts: Pt[];
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

function cubic(a: Pt, b: Pt, c: Pt, d: Pt): Candidate {
  const pts: Pt[] = [];
  for (let i = 0; i <= 24; i++) {
    const t = i / 24;
    const u = 1 - t;
    pts.push({
      x: u * u * u * a.x + 3 * u * u * t * b.x + 3 * u * t * t * c.x + t * t * t * d.x,
      y: u * u * u * a.y + 3 * u * u * t * b.y + 3 * u * t * t * c.y + t * t * t * d.y,
    });
  }
  return { d: pathData([['M', a], ['C', b, c, d]]), pts };
}

/** An orthogonal route with rounded corners. */
function elbow(points: Pt[]): Candidate {
  const pts: Pt[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    const n = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y) / 6));
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
  return { d: pathData(cmds), pts };
}

function towards(from: Pt, to: Pt, r: number): Pt {
  const len = Math.hypot(to.x - from.x, to.y - from.y) || 1;
  return { x: from.x + ((to.x - from.x) * r) / len, y: from.y + ((to.y - from.y) * r) / len };
}

const inside = (p: Pt, b: Box, m = 1) => p.x > b.x + m && p.x < b.x + b.w - m && p.y > b.y + m && p.y < b.y + b.h - m;

/** The route as points at most `step` px apart, so that thin boxes (a one-line label) cannot slip between samples. */
function dense(pts: Pt[], step = 3): Pt[] {
  const out: Pt[] = [pts[0]!];
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1]!;
    const b = pts[i]!;
    const n = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y) / step));
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
  if (cell.h >= source.h - 4) return [cell, { x: cell.x, y: from.y - 4, w: right, h: source.y + source.h - from.y + 4 }];
  const past = cell.x + cell.w;
  return [cell, { x: cell.x, y: cell.y, w: right, h: cell.h }, { x: past, y: source.y, w: source.x + source.w - past, h: source.h }];
}

function hits(c: Candidate, q: ArrowRequest, obstacles: Box[]): number {
  const pts = dense(c.pts);
  let n = 0;
  for (const o of obstacles) if (pts.some((p) => inside(p, o))) n++;
  for (const l of q.labels?.values() ?? []) if (pts.some((p) => inside(p, l, 0))) n++;
  if (q.cell) {
    const ok = way(q.source, q.cell, q.from);
    // Out through its own cell and row only: not down through the box's other rows, not back in.
    if (pts.some((p) => inside(p, q.source, 0.5) && !ok.some((b) => inside(p, b, -1.5)))) n++;
  }
  return n;
}

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
  /** How many routes of this step already run down each column; route() counts the ones it takes. */
  columnUse?: Map<number, number>;
}

/** Where along an edge [lo, hi] an arrow ends: `want`, kept inside. Undefined when the edge has no room. */
const along = (lo: number, hi: number, want: number) => (hi < lo ? undefined : Math.min(Math.max(want, lo), hi));

export function route(q: ArrowRequest): string {
  const { from: s, target: t } = q;
  const obstacles = q.obstacles.filter((o) => o !== q.source && o !== q.target);
  const cands: (() => Candidate)[] = [];
  const label = q.labels?.get(t);
  // The top edge is free only right of the label; an arrow that came from the left ends near the left.
  const topLo = Math.max(t.x + 8, label ? label.x + label.w + 2 : -Infinity);
  const want = t.x + Math.min(Math.max(t.w / 2, 8), 40);
  const sourceRight = q.source.x + q.source.w;
  // From above or below and right of the target's left part: end past the source's right edge, not in a hook back.
  const endX = (lo: number) => along(lo, t.x + t.w - 8, s.x > t.x + 8 ? Math.max(want, sourceRight + 10) : want);
  const topX = endX(topLo);
  const bottomX = endX(t.x + 8);
  const firstRow = t.y + Math.min(t.h / 2, 11);

  if (t.x - s.x >= 16) {
    // Into the left edge: level when the dot is within the box's height, else an S-curve.
    const level = s.y >= t.y + 4 && s.y <= t.y + t.h - 4;
    const e = { x: t.x, y: level ? s.y : firstRow };
    if (level) {
      const pts: Pt[] = [];
      for (let x = s.x; x < e.x; x += 6) pts.push({ x, y: s.y });
      pts.push(e);
      cands.push(() => ({ d: pathData([['M', s], ['L', e]]), pts }));
    } else {
      const k = Math.max(16, (e.x - s.x) * 0.5);
      cands.push(() => cubic(s, { x: s.x + k, y: s.y }, { x: e.x - k, y: e.y }, e));
    }
  }
  // A loop out to the right and back into the right edge: for pointers back up or to the left (cycles).
  // Wider ones clear a label that runs past a box's right edge (a note such as "✱ changed").
  const loop = (wider: number) => () => {
    const e = { x: t.x + t.w, y: firstRow };
    const d = Math.max(28, Math.abs(e.y - s.y) / 2, s.x - e.x + 28) + wider;
    return cubic(s, { x: s.x + d, y: s.y }, { x: e.x + d, y: e.y }, e);
  };
  const rightLoop = loop(0);
  const rightLoops = [rightLoop, loop(20), loop(40)];
  // Straight out to the right, then straight up or down into the edge: for a target just above or below.
  const upright = (x: number | undefined, y: number) => {
    if (x !== undefined && x > sourceRight + 6) cands.push(() => elbow([s, { x, y: s.y }, { x, y }]));
  };
  // Into the top or bottom edge at x, or further along it (past a label in the way), as a curve or an elbow.
  const vertical = (x0: number | undefined, y: number) => {
    if (x0 === undefined) return;
    const k = Math.max(16, Math.abs(y - s.y) * 0.6) * (y > s.y ? -1 : 1);
    for (let x = x0; x <= Math.max(x0, t.x + t.w - 8); x += 16) {
      const e = { x, y };
      cands.push(() => cubic(s, { x: s.x + Math.max(16, Math.abs(e.x - s.x) * 0.5), y: s.y }, { x: e.x, y: e.y + k }, e));
      upright(x, y);
    }
  };
  if (s.y < t.y - 12) vertical(topX, t.y);
  if (s.y > t.y + t.h + 12) {
    // A short loop when the target's right edge is near (a cycle between neighbours), else straight up into it.
    if (t.x - s.x < 16 && t.x + t.w - s.x < 60) cands.push(...rightLoops);
    vertical(bottomX, t.y + t.h);
  }
  if (t.x - s.x < 16 && s.y <= t.y + t.h + 12) cands.push(...rightLoops);
  // Elbows: out to the nearest free column right of the source, along a free lane, then into the top or bottom
  // edge, or down the gap left of the target into its left edge.
  const column = q.columns.filter((x) => x > sourceRight).sort((a, b) => a - b)[0] ?? sourceRight + 10;
  // Arrows of one step that take the same column run side by side, not on top of each other.
  const nth = q.columnUse?.get(column) ?? 0;
  const exitX = column + (nth % 2 ? 1 : -1) * Math.ceil(nth / 2) * 6;
  const firstElbow = cands.length;
  const lanes = [...q.lanes].sort((a, b) => Math.abs(a - t.y) - Math.abs(b - t.y));
  const wantX = t.x + Math.min(Math.max(t.w / 2, 8), 40);
  const laneTopX = along(topLo, t.x + t.w - 8, wantX);
  const laneBottomX = along(t.x + 8, t.x + t.w - 8, wantX);
  for (const y of lanes) {
    if (y <= t.y && laneTopX !== undefined) cands.push(() => elbow([s, { x: exitX, y: s.y }, { x: exitX, y }, { x: laneTopX, y }, { x: laneTopX, y: t.y }]));
    else if (y >= t.y + t.h) cands.push(() => elbow([s, { x: exitX, y: s.y }, { x: exitX, y }, { x: laneBottomX!, y }, { x: laneBottomX!, y: t.y + t.h }]));
  }
  for (const y of lanes) {
    // Up from below runs further out than down from above, so that a pair of arrows (a cycle) do not overlap.
    const gx = t.x - (y > t.y ? 20 : 10);
    cands.push(() => elbow([s, { x: exitX, y: s.y }, { x: exitX, y }, { x: gx, y }, { x: gx, y: firstRow }, { x: t.x, y: firstRow }]));
  }
  const lastElbow = cands.length;
  if (cands.length === 0) {
    const e = { x: t.x + t.w, y: firstRow };
    cands.push(() => cubic(s, { x: s.x + 40, y: s.y }, { x: e.x + 40, y: e.y }, e));
  }
  let best: Candidate | undefined;
  let bestAt = 0;
  let bestHits = Infinity;
  for (const [i, make] of cands.entries()) {
    const c = make();
    const h = hits(c, q, obstacles);
    if (h < bestHits) {
      best = c;
      bestAt = i;
      bestHits = h;
      if (h === 0) break;
    }
  }
  if (q.columnUse && bestAt >= firstElbow && bestAt < lastElbow) q.columnUse.set(column, nth + 1);
  return best!.d;
}
