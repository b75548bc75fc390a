/**
 * Every arrow of every render fixture traceable by eye, in both arrangements a page draws (wide, and stacked for a
 * phone's column), on the last step of each (where a figure has drawn all it builds), as the bench measures the
 * conformance programs and the demo (bench/arrows.ts): rendered for real, its arrows sampled from the drawn SVG's
 * path data and its boxes read from the SVG's rectangles (through the figure's shared part). No two arrows share a
 * stretch, no arrow passes through a box that is neither its source nor its target, none leaves the canvas, and
 * over all fixtures there is fewer than one crossing per ten arrows in either arrangement (see below for both bounds).
 */
import { expect, test } from 'vitest';
import { arrowStats, type ArrowStats } from '../../bench/arrows.ts';
import { render } from '../../plugin/src/render/index.ts';
import { fixtureCases, fixtureTrace } from './fixture-harness.ts';

interface Measured {
  where: string;
  stats: ArrowStats;
}

/** The last step of every fixture, measured in each arrangement (the stacked one where the figure has it). */
async function measureAll(): Promise<{ wide: Measured[]; narrow: Measured[] }> {
  const wide: Measured[] = [];
  const narrow: Measured[] = [];
  for (const c of fixtureCases()) {
    const fig = await render(fixtureTrace(c), { layout: 'page' });
    const s = fig.steps.at(-1)!;
    wide.push({ where: c, stats: arrowStats(s.svg, fig.shared) });
    if (s.narrow) narrow.push({ where: c, stats: arrowStats(s.narrow, fig.shared) });
  }
  return { wide, narrow };
}

const measured = measureAll();

for (const arrangement of ['wide', 'narrow'] as const) {
  test(`${arrangement}: the fixtures are measured, with arrows to measure`, async () => {
    const all = (await measured)[arrangement];
    // Most fixtures are wider than a phone, so most have a stacked arrangement too.
    expect(all.length).toBeGreaterThan(20);
    expect(all.reduce((n, m) => n + m.stats.arrows, 0)).toBeGreaterThan(100);
  });

  test(`${arrangement}: no two arrows share a stretch, none passes through another box or leaves the canvas`, async () => {
    const faults = (await measured)[arrangement].flatMap(({ where, stats }) =>
      stats.faults.filter((f) => !/crossing/.test(f)).map((f) => `${where}: ${f}`),
    );
    expect(faults).toEqual([]);
  });

  // Both bounds are what the routing reaches today, so that it only gets better.
  const perTen = arrangement === 'wide' ? 0.6 : 0.4;
  test(`${arrangement}: at most ${perTen} crossing(s) per ten arrows`, async () => {
    const all = (await measured)[arrangement];
    const arrows = all.reduce((n, m) => n + m.stats.arrows, 0);
    const crossings = all.reduce((n, m) => n + m.stats.crossings, 0);
    expect(crossings * 10, `${crossings} crossings in ${arrows} arrows`).toBeLessThanOrEqual(arrows * perTen);
  });
}

// Stacked, the frames' arrows run round by a gutter left of the objects, nested, and the objects' lines follow the
// variables that reach them: on the seed figure no arrow crosses another at any step, and each new global's object
// sits below the objects of the globals above it.
test('narrow: the seed figure draws every step without a crossing, its objects in the order of the globals', async () => {
  const fig = await render(fixtureTrace('seed-narrow'), { layout: 'narrow' });
  const faults = fig.steps.flatMap((s, k) => arrowStats(s.svg).faults.map((f) => `step ${k + 1}: ${f}`));
  expect(faults).toEqual([]);
  const last = fig.steps.at(-1)!.svg;
  const top = (text: string) => Number(new RegExp(`<text x="[\\d.]+" y="([\\d.]+)">${text}`).exec(last)?.[1]);
  const order = ['MyObject class', 'function function2', 'function function1', 'MyObject instance'].map(top);
  expect(order.every((y) => y > 0)).toBe(true);
  expect(order).toEqual([...order].sort((a, b) => a - b));
});

// Stacked, a class attribute that points back up at a class whose own arrows leave right and run down past it comes
// in above those arrows, at the class's right edge, rather than across them.
test('narrow: an arrow from below into a class comes in above its own arrows, not across them', async () => {
  const fig = await render(fixtureTrace('metaclass-attribute'), { layout: 'narrow' });
  const last = arrowStats(fig.steps.at(-1)!.svg);
  expect(last.arrows).toBe(6);
  expect(last.faults).toEqual([]);
  expect(fig.steps.map((s) => arrowStats(s.svg).crossings)).toEqual([0, 0, 0, 0]);
});
