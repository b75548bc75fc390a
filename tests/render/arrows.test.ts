/**
 * Arrow routes against the layouts where routes once went wrong (arrow-scenes.json beside this file: the boxes,
 * type labels, lanes and arrows of every step of the bst, inheritance and cycle-partner fixtures, as render() hands
 * them to route()). Each route is sampled from its own path data, so what is checked is what is drawn.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { arrowsOf, arrowStats } from '../../bench/arrows.ts';
import { route, routeStep, type Pt } from '../../plugin/src/render/arrows.ts';
import { render } from '../../plugin/src/render/index.ts';
import type { Trace } from '../../plugin/src/trace/format.ts';
import type { Box } from '../../plugin/src/render/sheet.ts';
import { trace } from '../trace/helpers.ts';

interface Scene {
  boxes: Box[];
  labels: [number, Box][];
  lanes: number[];
  columns: number[];
  arrows: { from: Pt; source: number; target: number; cell?: Box }[];
}

const scenes = JSON.parse(readFileSync(join(import.meta.dirname, 'arrow-scenes.json'), 'utf8')) as Scene[];

/** Points along path data made of one absolute move and relative l, q and c commands (what pathData writes). */
function sample(d: string): Pt[] {
  const out: Pt[] = [];
  let at: Pt = { x: 0, y: 0 };
  for (const [, op, args] of d.matchAll(/([MlqcLQC])([^MlqcLQC]*)/g)) {
    const n = (args!.match(/-?\d+(\.\d+)?/g) ?? []).map(Number);
    const pts: Pt[] = [];
    for (let i = 0; i < n.length; i += 2)
      pts.push(op === 'M' ? { x: n[i]!, y: n[i + 1]! } : { x: at.x + n[i]!, y: at.y + n[i + 1]! });
    if (op === 'M') {
      at = pts[0]!;
      out.push(at);
      continue;
    }
    const ctrl = [at, ...pts];
    for (let k = 1; k <= 60; k++) {
      // De Casteljau: a line, a quadratic or a cubic alike.
      let ps = ctrl;
      const t = k / 60;
      while (ps.length > 1)
        ps = ps.slice(1).map((p, i) => ({ x: ps[i]!.x + (p.x - ps[i]!.x) * t, y: ps[i]!.y + (p.y - ps[i]!.y) * t }));
      out.push(ps[0]!);
    }
    at = pts.at(-1)!;
  }
  return out;
}

const within = (p: Pt, b: Box, m: number) =>
  p.x > b.x + m && p.x < b.x + b.w - m && p.y > b.y + m && p.y < b.y + b.h - m;

const routes = scenes.flatMap((s, n) =>
  s.arrows.map((a) => {
    const labels = new Map(s.labels.map(([i, l]) => [s.boxes[i]!, l]));
    const d = route({
      from: a.from,
      source: s.boxes[a.source]!,
      target: s.boxes[a.target]!,
      ...(a.cell ? { cell: a.cell } : {}),
      obstacles: s.boxes,
      labels,
      lanes: s.lanes,
      columns: s.columns,
    });
    return { scene: n, a, s, pts: sample(d), d };
  }),
);

test('the scenes hold every arrow of those layouts', () => {
  expect(routes.length).toBeGreaterThan(200);
  expect(routes.filter((r) => r.a.cell).length).toBeGreaterThan(50);
});

test('every route starts at its dot and ends on its target box edge', () => {
  for (const r of routes) {
    const t = r.s.boxes[r.a.target]!;
    const [first, last] = [r.pts[0]!, r.pts.at(-1)!];
    expect(Math.hypot(first.x - r.a.from.x, first.y - r.a.from.y)).toBeLessThan(0.1);
    const onEdge = within(last, t, -0.6) && !within(last, t, 0.6);
    expect(onEdge, `scene ${r.scene}: ${r.d} ends off ${JSON.stringify(t)}`).toBe(true);
  }
});

test("no arrow crosses a type label, its own target's included", () => {
  for (const r of routes) {
    for (const [, l] of r.s.labels) {
      const p = r.pts.find((q) => within(q, l, 0.5));
      expect(p, `scene ${r.scene}: ${r.d} crosses the label at ${JSON.stringify(l)}`).toBeUndefined();
    }
  }
});

test("an arrow leaves an object through its own row, not through the box's other rows", () => {
  for (const r of routes) {
    const c = r.a.cell;
    if (!c) continue;
    const src = r.s.boxes[r.a.source]!;
    // A list's cells are as tall as the box: only rows of a table are checked.
    if (c.h >= src.h - 4) continue;
    const p = r.pts.find((q) => within(q, src, 1) && (q.y < c.y - 2 || q.y > c.y + c.h + 2));
    expect(
      p,
      `scene ${r.scene}: ${r.d} runs through its source ${JSON.stringify(src)} outside row ${JSON.stringify(c)}`,
    ).toBeUndefined();
  }
});

test('no arrow crosses another box', () => {
  for (const r of routes) {
    r.s.boxes.forEach((b, i) => {
      if (i === r.a.source || i === r.a.target) return;
      const p = r.pts.find((q) => within(q, b, 1.5));
      expect(p, `scene ${r.scene}: ${r.d} crosses ${JSON.stringify(b)}`).toBeUndefined();
    });
  }
});

/** Whether segments ab and cd cross (touching ends do not count). */
function cross(a: Pt, b: Pt, c: Pt, d: Pt): boolean {
  const o = (p: Pt, q: Pt, r: Pt) => (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x);
  return o(a, b, c) * o(a, b, d) < -1e-6 && o(c, d, a) * o(c, d, b) < -1e-6;
}

test("a list item's arrow into a box above does not hook back, and does not cross its neighbours' arrows", () => {
  const items = routes.filter((r) => r.a.cell && r.a.cell.h >= r.s.boxes[r.a.source]!.h - 4);
  expect(items.length).toBeGreaterThan(10);
  for (const [i, r] of items.entries()) {
    const t = r.s.boxes[r.a.target]!;
    if (t.y + t.h < r.a.from.y) expect(r.pts.at(-1)!.x, `scene ${r.scene}: ${r.d}`).toBeGreaterThanOrEqual(r.a.from.x);
    for (const u of items.slice(i + 1)) {
      if (u.scene !== r.scene || u.a.source !== r.a.source) continue;
      const hit = r.pts.slice(1).some((p, j) => u.pts.slice(1).some((q, k) => cross(r.pts[j]!, p, u.pts[k]!, q)));
      expect(hit, `scene ${r.scene}: ${r.d} crosses ${u.d}`).toBe(false);
    }
  }
});

// ---- a step's arrows routed together (routeStep), and measured as drawn (bench/arrows.ts) ----

const stepRoutes = scenes.map((s) => {
  const labels = new Map(s.labels.map(([i, l]) => [s.boxes[i]!, l]));
  const ds = routeStep(
    s.arrows.map((a) => ({
      from: a.from,
      source: s.boxes[a.source]!,
      target: s.boxes[a.target]!,
      ...(a.cell ? { cell: a.cell } : {}),
      obstacles: s.boxes,
      labels,
      lanes: s.lanes,
      columns: s.columns,
    })),
  );
  return { s, ds, pts: ds.map(sample) };
});

test('routed as a step, every route still starts at its dot, ends on its target and crosses no other box', () => {
  for (const [n, { s, ds, pts }] of stepRoutes.entries()) {
    s.arrows.forEach((a, i) => {
      const t = s.boxes[a.target]!;
      const p = pts[i]!;
      expect(Math.hypot(p[0]!.x - a.from.x, p[0]!.y - a.from.y)).toBeLessThan(0.1);
      expect(within(p.at(-1)!, t, -0.6) && !within(p.at(-1)!, t, 0.6), `scene ${n}: ${ds[i]} ends off its target`).toBe(
        true,
      );
      s.boxes.forEach((b, j) => {
        if (j === a.source || j === a.target) return;
        expect(
          p.find((q) => within(q, b, 1.5)),
          `scene ${n}: ${ds[i]} crosses ${JSON.stringify(b)}`,
        ).toBeUndefined();
      });
    });
  }
});

test('routed as a step, arrows into one box end at points at least 6 px apart', () => {
  let pairs = 0;
  for (const [n, { s, pts }] of stepRoutes.entries()) {
    for (let i = 0; i < s.arrows.length; i++) {
      for (let j = i + 1; j < s.arrows.length; j++) {
        if (s.arrows[i]!.target !== s.arrows[j]!.target) continue;
        pairs++;
        const [a, b] = [pts[i]!.at(-1)!, pts[j]!.at(-1)!];
        expect(Math.hypot(a.x - b.x, a.y - b.y), `scene ${n}: arrows ${i} and ${j}`).toBeGreaterThanOrEqual(6);
      }
    }
  }
  expect(pairs).toBeGreaterThan(5);
});

test('routed as a step, no two arrows of a scene share a stretch', () => {
  for (const [n, { s, ds }] of stepRoutes.entries()) {
    // A few scenes give one dot two arrows (the same cell over two steps): those share their start by construction.
    const one = ds.filter(
      (_, i) => s.arrows.findIndex((a) => a.from.x === s.arrows[i]!.from.x && a.from.y === s.arrows[i]!.from.y) === i,
    );
    const svg = `<svg width="2000" height="2000"><g fill="none" marker-end="url(#a)">${one.map((d) => `<path d="${d}"/>`).join('')}</g></svg>`;
    expect(arrowStats(svg).shared, `scene ${n} (${s.arrows.length} arrows)`).toBe(0);
  }
});

test('the bench measure counts what it should: a crossing, a shared stretch, an arrow off the canvas', () => {
  const svg = (ds: string[]) =>
    `<svg width="100" height="100"><g fill="none" marker-end="url(#a)">${ds.map((d) => `<path d="${d}"/>`).join('')}</g></svg>`;
  expect(arrowStats(svg(['M0 50l100 0', 'M50 0l0 100']))).toMatchObject({
    arrows: 2,
    crossings: 1,
    shared: 0,
    outside: 0,
  });
  expect(arrowStats(svg(['M0 50l90 0', 'M10 51l60 0']))).toMatchObject({ crossings: 0, shared: 1 });
  expect(arrowStats(svg(['M0 50c30 0 150 0 90 40']))).toMatchObject({ outside: 1 });
  expect(arrowStats(svg(['M0 50l40 0', 'M0 60l40 -10']))).toMatchObject({ crossings: 0, shared: 0 });
});

test('the bench measure counts an arrow through a box that is neither its source nor its target', () => {
  const svg = (d: string) =>
    `<svg width="200" height="100"><rect x="0" y="40" width="20" height="20"/><path d="M80 40h20v20h-20zm100 0h20v20h-20z"/><g fill="none" marker-end="url(#a)"><path d="${d}"/></g></svg>`;
  // From the box at 0 through the box at 80 into the box at 180.
  expect(arrowStats(svg('M10 50l170 0'))).toMatchObject({ arrows: 1, through: 1 });
  // Into the box at 80, or round it into the box at 180.
  expect(arrowStats(svg('M10 50l70 0'))).toMatchObject({ through: 0 });
  expect(arrowStats(svg('M10 50l60 0l0 -20l50 0l0 20l60 0'))).toMatchObject({ through: 0 });
});

/** The conformance program's last step, rendered and measured. */
async function lastOf(name: string) {
  const code = readFileSync(join(import.meta.dirname, '../fixtures/conformance/programs', name), 'utf8');
  const fig = await render(await trace(code), { idPrefix: 'x-' });
  return arrowStats(fig.steps.at(-1)!.svg);
}

test('two lists pointing back at six tuples above them: their arrows nested on the right, apart, hardly crossing', async () => {
  const stats = await lastOf('backend-tests__restaurants.py');
  expect(stats).toMatchObject({ arrows: 19, shared: 0, outside: 0, through: 0 });
  // The second list's three arrows pass the first one's lanes to reach the top three tuples: that is all.
  expect(stats.crossings).toBeLessThanOrEqual(3);
});

test('objects reached from variables sit in the order of those variables (rebound over time, made inside calls)', async () => {
  for (const name of ['backend-tests__breakpoints.py', 'example-code__closures__closure5.py']) {
    expect(await lastOf(name), name).toMatchObject({ crossings: 0, shared: 0, through: 0 });
  }
});

test('newlist = [origlist] * 3 draws three arrows that leave their own cells and arrive apart', async () => {
  const dir = join(import.meta.dirname, '../fixtures/render/replicate');
  const fig = await render(JSON.parse(readFileSync(join(dir, 'trace.json'), 'utf8')) as Trace, { idPrefix: 'x-' });
  const last = fig.steps.at(-1)!.svg;
  const { arrows } = arrowsOf(last);
  expect(arrows).toHaveLength(5);
  const stats = arrowStats(last);
  expect(stats).toMatchObject({ crossings: 0, shared: 0, outside: 0 });
  const ends = arrows.map((a) => a.at(-1)!);
  for (let i = 0; i < ends.length; i++)
    for (let j = i + 1; j < ends.length; j++)
      expect(Math.hypot(ends[i]!.x - ends[j]!.x, ends[i]!.y - ends[j]!.y)).toBeGreaterThan(5);
});

test('a class folds the members library code generated into one row, the text names them, and generated-members shows them', async () => {
  const trace = JSON.parse(
    readFileSync(join(import.meta.dirname, '../fixtures/render/namedtuple/trace.json'), 'utf8'),
  ) as Trace;
  const folded = await render(trace, { idPrefix: 'x-' });
  const all = await render(trace, { idPrefix: 'x-', showGenerated: true });
  const last = (f: typeof folded) => f.steps.at(-1)!;
  expect(last(folded).svg).toContain('+ 10 generated');
  expect(last(folded).svg).not.toContain('_asdict');
  expect(last(all).svg).toContain('_asdict');
  expect(last(all).svg).not.toContain('generated');
  expect(last(folded).text).toMatch(
    /Point class \(tuple\): norm → object \d+; 10 generated by library code, not drawn: _fields, _field_defaults, __new__, _make, _replace, __repr__, _asdict, __getnewargs__, x, y/,
  );
  expect(arrowsOf(last(folded).svg).arrows.length).toBeLessThan(arrowsOf(last(all).svg).arrows.length - 8);
  // The program's own method stays.
  expect(last(folded).svg).toContain('function norm(self)');
});
