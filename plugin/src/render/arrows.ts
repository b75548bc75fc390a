/**
 * Arrow routes, from a reference's dot to the edge of its target's box. A few candidate routes are tried in order of
 * looks (a straight or S-shaped curve into the left edge, a curve into the top or bottom edge, an elbow through the
 * gaps between rows); the first that crosses no other box wins, else the one that crosses fewest.
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

function hits(c: Candidate, obstacles: Box[]): number {
  let n = 0;
  for (const o of obstacles) {
    if (c.pts.some((p) => p.x > o.x + 1 && p.x < o.x + o.w - 1 && p.y > o.y + 1 && p.y < o.y + o.h - 1)) n++;
  }
  return n;
}

export interface ArrowRequest {
  /** The dot's centre. */
  from: Pt;
  /** The box the dot sits in: the route may cross it. */
  source: Box;
  target: Box;
  /** Every box a route should not cross (source and target are skipped). */
  obstacles: Box[];
  /** Free horizontal lanes (the gaps between rows of objects), as y values. */
  lanes: number[];
  /** Free vertical lanes (gaps between columns), as x values. */
  columns: number[];
}

export function route(q: ArrowRequest): string {
  const { from: s, target: t } = q;
  const obstacles = q.obstacles.filter((o) => o !== q.source && o !== q.target);
  const cands: (() => Candidate)[] = [];
  const topX = t.x + Math.min(Math.max(t.w / 2, 8), 40);
  const firstRow = t.y + Math.min(t.h / 2, 11);

  if (t.x - s.x >= 16) {
    // Into the left edge: level when the dot is within the box's height, else an S-curve.
    const level = s.y >= t.y + 4 && s.y <= t.y + t.h - 4;
    const e = { x: t.x, y: level ? s.y : firstRow };
    if (level) {
      const pts: Pt[] = [];
      for (let x = s.x; x < e.x; x += 6) pts.push({ x, y: s.y });
      cands.push(() => ({ d: pathData([['M', s], ['L', e]]), pts }));
    } else {
      const k = Math.max(16, (e.x - s.x) * 0.5);
      cands.push(() => cubic(s, { x: s.x + k, y: s.y }, { x: e.x - k, y: e.y }, e));
    }
  }
  // A loop out to the right and back into the right edge: for pointers back up or to the left (cycles).
  const rightLoop = () => {
    const e = { x: t.x + t.w, y: firstRow };
    const d = Math.max(28, Math.abs(e.y - s.y) / 2, s.x - e.x + 28);
    return cubic(s, { x: s.x + d, y: s.y }, { x: e.x + d, y: e.y }, e);
  };
  if (s.y < t.y - 12) {
    const e = { x: topX, y: t.y };
    const k = Math.max(16, Math.abs(e.y - s.y) * 0.6);
    cands.push(() => cubic(s, { x: s.x + Math.max(16, Math.abs(e.x - s.x) * 0.5), y: s.y }, { x: e.x, y: e.y - k }, e));
  }
  if (s.y > t.y + t.h + 12) {
    // A short loop when the target's right edge is near (a cycle between neighbours), else straight up into it.
    if (t.x - s.x < 16 && t.x + t.w - s.x < 60) cands.push(rightLoop);
    const e = { x: topX, y: t.y + t.h };
    const k = Math.max(16, Math.abs(e.y - s.y) * 0.6);
    cands.push(() => cubic(s, { x: s.x + Math.max(16, Math.abs(e.x - s.x) * 0.5), y: s.y }, { x: e.x, y: e.y + k }, e));
  }
  if (t.x - s.x < 16 && s.y <= t.y + t.h + 12) cands.push(rightLoop);
  // Elbows: out to the nearest free column right of the source, along a free lane, then into the top or bottom.
  const exitX = q.columns.filter((x) => x > q.source.x + q.source.w).sort((a, b) => a - b)[0] ?? q.source.x + q.source.w + 10;
  const lanes = [...q.lanes].sort((a, b) => Math.abs(a - t.y) - Math.abs(b - t.y));
  for (const y of lanes) {
    if (y <= t.y) cands.push(() => elbow([s, { x: exitX, y: s.y }, { x: exitX, y }, { x: topX, y }, { x: topX, y: t.y }]));
    else if (y >= t.y + t.h) cands.push(() => elbow([s, { x: exitX, y: s.y }, { x: exitX, y }, { x: topX, y }, { x: topX, y: t.y + t.h }]));
  }
  if (cands.length === 0) {
    const e = { x: t.x + t.w, y: firstRow };
    cands.push(() => cubic(s, { x: s.x + 40, y: s.y }, { x: e.x + 40, y: e.y }, e));
  }
  let best: Candidate | undefined;
  let bestHits = Infinity;
  for (const make of cands) {
    const c = make();
    const h = hits(c, obstacles);
    if (h < bestHits) {
      best = c;
      bestHits = h;
      if (h === 0) break;
    }
  }
  return best!.d;
}
