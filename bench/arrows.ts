/**
 * How legible a figure's arrows are, measured on what is drawn: the last step's SVG is parsed, each arrow's path
 * data sampled, and the samples compared. Counts crossings (two arrows cutting each other), shared stretches (two
 * arrows within 2 px of each other for 12 px or more: the eye cannot tell them apart there), arrows that leave the
 * canvas, arrows through a box that is neither their source nor their target (boxes read from the SVG's
 * rectangles), and the total arrow length.
 *
 * Run alone, it traces the conformance programs and the demo posts once (cached in /tmp) and prints the worst
 * figures, with --list what goes wrong where (which arrows, by index in the SVG):
 *   npx node bench/arrows.ts [--fresh] [--list] [--only NAME-PART] [--wide | --narrow]
 */
import { CONFORMANCE_DIR } from '../tests/conformance.ts';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { render } from '../plugin/src/render/index.ts';
import type { Trace, TraceFailure } from '../plugin/src/trace/format.ts';
import { TraceRuntime } from '../plugin/src/trace/runtime.ts';
import { demoBlocks, type Row } from './lib.ts';

interface Pt {
  x: number;
  y: number;
}

/** Points about 1 px apart along path data of one absolute move and absolute or relative l, q and c commands. */
export function samplePath(d: string): Pt[] {
  const out: Pt[] = [];
  let at: Pt = { x: 0, y: 0 };
  for (const [, op, args] of d.matchAll(/([MLQClqch])([^MLQClqch]*)/g)) {
    const n = (args!.match(/-?\d*\.?\d+/g) ?? []).map(Number);
    if (op === 'h') n.push(0);
    const rel = op === op!.toLowerCase();
    const pts: Pt[] = [];
    for (let i = 0; i + 1 < n.length; i += 2)
      pts.push(rel ? { x: at.x + n[i]!, y: at.y + n[i + 1]! } : { x: n[i]!, y: n[i + 1]! });
    if (op === 'M') {
      at = pts[0]!;
      out.push(at);
      continue;
    }
    const ctrl = [at, ...pts];
    const len = ctrl.slice(1).reduce((s, p, i) => s + Math.hypot(p.x - ctrl[i]!.x, p.y - ctrl[i]!.y), 0);
    const steps = Math.max(2, Math.ceil(len));
    for (let k = 1; k <= steps; k++) {
      let ps = ctrl;
      const t = k / steps;
      while (ps.length > 1)
        ps = ps.slice(1).map((p, i) => ({ x: ps[i]!.x + (p.x - ps[i]!.x) * t, y: ps[i]!.y + (p.y - ps[i]!.y) * t }));
      out.push(ps[0]!);
    }
    at = pts.at(-1)!;
  }
  return out;
}

/**
 * The arrows of one SVG (the paths inside the groups that carry an arrowhead), sampled, the canvas size and the
 * boxes. A page's SVG draws its boxes with `<use>` of definitions the figure shares: `shared` is that part.
 */
export function arrowsOf(
  svg: string,
  shared?: string,
): { arrows: Pt[][]; width: number; height: number; rects: Rect[] } {
  const width = Number(/<svg[^>]* width="([\d.]+)"/.exec(svg)?.[1] ?? 0);
  const height = Number(/<svg[^>]* height="([\d.]+)"/.exec(svg)?.[1] ?? 0);
  const arrows: Pt[][] = [];
  for (const [, body] of svg.matchAll(/<g [^>]*marker-end="[^"]*">((?:<path d="[^"]*"\/>)*)<\/g>/g)) {
    for (const [, d] of body!.matchAll(/<path d="([^"]*)"\/>/g)) arrows.push(samplePath(d!));
  }
  const rects = [...rectsOf(svg, width, height), ...usedRects(svg, shared === undefined ? new Map() : defsOf(shared))];
  return { arrows, width, height, rects };
}

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The groups with an id in a figure's shared part, by id: each one's content. */
export function defsOf(shared: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of shared.matchAll(/<g id="([^"]+)">/g)) {
    const start = m.index + m[0].length;
    let depth = 1;
    const tags = /<g[ >]|<\/g>/g;
    tags.lastIndex = start;
    for (let t = tags.exec(shared); t; t = tags.exec(shared)) {
      depth += t[0] === '</g>' ? -1 : 1;
      if (depth === 0) {
        out.set(m[1]!, shared.slice(start, t.index));
        break;
      }
    }
  }
  return out;
}

/** The rectangles the SVG draws through `<use>` of shared definitions, where each use puts them. */
function usedRects(svg: string, defs: Map<string, string>): Rect[] {
  const out: Rect[] = [];
  for (const [, a] of svg.matchAll(/<use ([^>]*)\/>/g)) {
    const n = (k: string) => Number(new RegExp(`(?:^| )${k}="([-\\d.]+)"`).exec(a!)?.[1] ?? 0);
    const def = defs.get(/href="#([^"]+)"/.exec(a!)?.[1] ?? '');
    if (def === undefined) continue;
    for (const r of rectsOf(def, Infinity, Infinity)) out.push({ ...r, x: r.x + n('x'), y: r.y + n('y') });
  }
  return out;
}

/**
 * The filled or stroked rectangles of one SVG: `<rect>`s, and the rectangles drawn as path data (`M x y h w v h h
 * -w z`, following ones with a relative `m` from the previous one's corner); the background (as large as the
 * canvas) and slivers under 6 px left out.
 */
export function rectsOf(svg: string, width: number, height: number): Rect[] {
  const out: Rect[] = [];
  for (const [, a] of svg.matchAll(/<rect ([^>]*)\/>/g)) {
    const n = (k: string) => Number(new RegExp(`(?:^| )${k}="([-\\d.]+)"`).exec(a!)?.[1] ?? 0);
    out.push({ x: n('x'), y: n('y'), w: n('width'), h: n('height') });
  }
  for (const [, d] of svg.matchAll(/<path d="([^"]*)"(?![^>]*marker)/g)) {
    let at = { x: 0, y: 0 };
    for (const [, op, x, y, w, h] of d!.matchAll(/([Mm])(-?[\d.]+)[ ,]?(-?[\d.]+)h(-?[\d.]+)v(-?[\d.]+)h-?[\d.]+z/g)) {
      at = op === 'M' ? { x: Number(x), y: Number(y) } : { x: at.x + Number(x), y: at.y + Number(y) };
      out.push({ x: at.x, y: at.y, w: Number(w), h: Number(h) });
    }
  }
  return out.filter((r) => r.w >= 6 && r.h >= 6 && !(r.w >= width - 1 && r.h >= height - 1));
}

const within = (p: Pt, r: Rect, m: number) =>
  p.x > r.x + m && p.x < r.x + r.w - m && p.y > r.y + m && p.y < r.y + r.h - m;
const contains = (o: Rect, r: Rect) =>
  r.x >= o.x - 0.5 && r.y >= o.y - 0.5 && r.x + r.w <= o.x + o.w + 0.5 && r.y + r.h <= o.y + o.h + 0.5;

/**
 * Whether an arrow passes through a box that is neither its source nor its target: its source is the largest box
 * its dot sits in (a frame, or an object, with its cells), its target the largest box whose edge it ends on; a
 * box inside either of those is theirs.
 */
function throughOther(a: Pt[], rects: Rect[]): boolean {
  const start = a[0]!;
  const end = a.at(-1)!;
  const largest = (rs: Rect[]) =>
    rs.reduce<Rect | undefined>((b, r) => (!b || r.w * r.h > b.w * b.h ? r : b), undefined);
  const source = largest(rects.filter((r) => within(start, r, -0.5)));
  const target = largest(rects.filter((r) => within(end, r, -2.5) && !within(end, r, 2.5)));
  const own = (r: Rect) => (source && contains(source, r)) || (target && contains(target, r));
  return rects.some((r) => !own(r) && a.some((p) => within(p, r, 1.5)));
}

function segCross(a: Pt, b: Pt, c: Pt, d: Pt): Pt | undefined {
  const den = (b.x - a.x) * (d.y - c.y) - (b.y - a.y) * (d.x - c.x);
  if (Math.abs(den) < 1e-9) return undefined;
  const t = ((c.x - a.x) * (d.y - c.y) - (c.y - a.y) * (d.x - c.x)) / den;
  const u = ((c.x - a.x) * (b.y - a.y) - (c.y - a.y) * (b.x - a.x)) / den;
  return t >= 0 && t < 1 && u >= 0 && u < 1 ? { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t } : undefined;
}

const near = (p: Pt, q: Pt, r: number) =>
  Math.abs(p.x - q.x) <= r && Math.abs(p.y - q.y) <= r && Math.hypot(p.x - q.x, p.y - q.y) <= r;

/** Places where two arrows cut each other, merged when within 6 px; not counting where both end (one arrowhead). */
function crossings(a: Pt[], b: Pt[]): number {
  const found: Pt[] = [];
  for (let i = 1; i < a.length; i++) {
    for (let j = 1; j < b.length; j++) {
      const p = segCross(a[i - 1]!, a[i]!, b[j - 1]!, b[j]!);
      if (!p) continue;
      if (near(p, a.at(-1)!, 4) && near(p, b.at(-1)!, 4)) continue;
      if (!found.some((f) => near(f, p, 6))) found.push(p);
    }
  }
  // Two arrows running together touch over and over: that is a shared stretch, not a crossing each time.
  return found.length;
}

/** The longest run of a's samples that lie within `r` px of b (in px along a). */
function sharedRun(a: Pt[], b: Pt[], r = 2): number {
  let best = 0;
  let run = 0;
  for (let i = 0; i < a.length; i++) {
    const p = a[i]!;
    if (b.some((q) => near(p, q, r))) {
      if (i > 0 && run > 0) run += Math.hypot(p.x - a[i - 1]!.x, p.y - a[i - 1]!.y);
      else run = 0.001;
      best = Math.max(best, run);
    } else run = 0;
  }
  return best;
}

export interface ArrowStats {
  arrows: number;
  crossings: number;
  shared: number;
  outside: number;
  /** Arrows that pass through a box that is neither their source nor their target. */
  through: number;
  length: number;
  /** What went wrong, one line each: which arrows (by index, from dot to end) cross, share a stretch or stray. */
  faults: string[];
}

const at = (p: Pt) => `${Math.round(p.x)},${Math.round(p.y)}`;
const named = (a: Pt[], i: number) => `#${i} ${at(a[0]!)}→${at(a.at(-1)!)}`;

/** The measures of one SVG's arrows (a page's SVG with its figure's shared part, see {@link arrowsOf}). */
export function arrowStats(svg: string, shared?: string): ArrowStats {
  const { arrows, width, height, rects } = arrowsOf(svg, shared);
  const faults: string[] = [];
  let cross = 0;
  let sharedPairs = 0;
  for (let i = 0; i < arrows.length; i++) {
    for (let j = i + 1; j < arrows.length; j++) {
      const ab = sharedRun(arrows[i]!, arrows[j]!);
      if (ab >= 12) {
        sharedPairs++;
        faults.push(`shared ${Math.round(ab)} px: ${named(arrows[i]!, i)} and ${named(arrows[j]!, j)}`);
        continue;
      }
      const n = crossings(arrows[i]!, arrows[j]!);
      cross += n;
      if (n) faults.push(`${n} crossing(s): ${named(arrows[i]!, i)} and ${named(arrows[j]!, j)}`);
    }
  }
  const off = (a: Pt[]) => a.some((p) => p.x < 0 || p.y < 0 || p.x > width || p.y > height);
  const length = arrows.reduce(
    (s, a) => s + a.slice(1).reduce((t, p, i) => t + Math.hypot(p.x - a[i]!.x, p.y - a[i]!.y), 0),
    0,
  );
  let outside = 0;
  let through = 0;
  arrows.forEach((a, i) => {
    if (off(a)) outside++, faults.push(`off the canvas: ${named(a, i)}`);
    if (throughOther(a, rects)) through++, faults.push(`through a box: ${named(a, i)}`);
  });
  return { arrows: arrows.length, crossings: cross, shared: sharedPairs, outside, through, length, faults };
}

/** The two arrangements a page draws: the wide one, and the stacked one under a phone's width. */
export type Arrangement = 'wide' | 'narrow';

/**
 * The last step of a trace's figure, measured in one arrangement: the wide one as the CLI draws it, the narrow one
 * as a page draws it (its boxes in the figure's shared part). Undefined when the figure has no narrow arrangement
 * (its wide one fits a phone) or no step.
 */
export async function lastStepOf(t: Trace, arrangement: Arrangement): Promise<ArrowStats | undefined> {
  if (t.steps.length === 0) return undefined;
  if (arrangement === 'wide') return arrowStats((await render(t)).steps.at(-1)!.svg);
  const fig = await render(t, { layout: 'page' });
  const narrow = fig.steps.at(-1)!.narrow;
  return narrow === undefined ? undefined : arrowStats(narrow, fig.shared);
}

/** The last step of each trace's figure that has the arrangement, measured. */
export async function lastStepStats(traces: Trace[], arrangement: Arrangement = 'wide'): Promise<ArrowStats[]> {
  const out: ArrowStats[] = [];
  for (const t of traces) {
    const s = await lastStepOf(t, arrangement);
    if (s) out.push(s);
  }
  return out;
}

/** Bench rows: totals over the last steps of a set of figures, in both arrangements. */
export async function arrowRows(label: string, traces: Trace[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const arrangement of ['wide', 'narrow'] as const)
    rows.push(...totalRows(`arrows (${arrangement}): ${label}`, await lastStepStats(traces, arrangement)));
  return rows;
}

/** The rows of one set of measured figures. */
function totalRows(section: string, stats: ArrowStats[]): Row[] {
  const sum = (k: Exclude<keyof ArrowStats, 'faults'>) => stats.reduce((s, x) => s + x[k], 0);
  const n = sum('arrows');
  const perTen = n ? (sum('crossings') * 10) / n : 0;
  const zero = (metric: string, k: 'shared' | 'outside' | 'through'): Row => ({
    section,
    metric,
    value: sum(k),
    unit: '',
    target: '0',
    ok: sum(k) === 0,
  });
  return [
    { section, metric: `arrows in the last step of ${stats.length} figures`, value: n, unit: '' },
    { section, metric: 'crossings per 10 arrows', value: perTen, unit: '', target: '≤ 1', ok: perTen <= 1 },
    {
      section,
      metric: `crossings (in ${stats.filter((s) => s.crossings).length} figures)`,
      value: sum('crossings'),
      unit: '',
    },
    zero('pairs of arrows sharing a stretch of 12 px or more', 'shared'),
    zero('arrows leaving the canvas', 'outside'),
    zero('arrows through a box neither their source nor their target', 'through'),
    { section, metric: 'total arrow length', value: Math.round(sum('length')), unit: 'px' },
  ];
}

const isFailure = (r: Trace | TraceFailure): r is TraceFailure => 'kind' in r && !('format' in r);

/** The conformance programs and the demo posts' blocks, by name, as the bench traces them. */
export function benchPrograms(
  root: string,
): { name: string; code: string; maxSteps?: number; stdin?: string; demo: boolean }[] {
  const out = [];
  const conf = join(CONFORMANCE_DIR, 'programs');
  if (existsSync(conf)) {
    for (const f of readdirSync(conf)
      .filter((f) => f.endsWith('.py'))
      .sort())
      out.push({ name: f, code: readFileSync(join(conf, f), 'utf8'), demo: false });
  }
  for (const b of demoBlocks(root)) out.push({ ...b, demo: true });
  return out;
}

if (import.meta.main) {
  const root = resolve(import.meta.dirname, '..');
  // One cache per checkout: the demo posts differ between them.
  const cache = `/tmp/memtrace-arrows-traces-${basename(root)}.json`;
  let traces: { name: string; demo: boolean; trace: Trace }[];
  if (existsSync(cache) && !process.argv.includes('--fresh')) traces = JSON.parse(readFileSync(cache, 'utf8'));
  else {
    const runtime = new TraceRuntime();
    traces = [];
    try {
      for (const p of benchPrograms(root)) {
        const r = await runtime.trace(p.code, { maxSteps: p.maxSteps, stdin: p.stdin });
        if (!isFailure(r)) traces.push({ name: p.name, demo: p.demo, trace: r });
      }
    } finally {
      await runtime.close();
    }
    writeFileSync(cache, JSON.stringify(traces));
  }
  const pick = process.argv.indexOf('--only');
  if (pick > 0) traces = traces.filter((t) => t.name.includes(process.argv[pick + 1] ?? ''));
  const only = ['wide', 'narrow'].filter((a) => process.argv.includes(`--${a}`)) as Arrangement[];
  for (const arrangement of only.length ? only : (['wide', 'narrow'] as const)) {
    const stats = [];
    for (const t of traces) stats.push({ ...t, stats: await lastStepOf(t.trace, arrangement) });
    for (const demo of [true, false]) {
      const label = `arrows (${arrangement}): ${demo ? 'demo posts' : 'conformance'}`;
      const of = stats.filter((s) => s.demo === demo).flatMap((s) => (s.stats ? [s.stats] : []));
      for (const r of totalRows(label, of))
        console.log(
          `${r.section}: ${r.metric} = ${r.value}${r.target ? ` (target ${r.target}: ${r.ok ? 'ok' : 'MISSED'})` : ''}`,
        );
    }
    if (process.argv.includes('--list'))
      for (const s of stats)
        if (s.stats?.faults.length) console.log(`${arrangement} ${s.name}:\n  ${s.stats.faults.join('\n  ')}`);
  }
}
