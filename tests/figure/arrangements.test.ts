/**
 * A page figure's arrangements, from the real renderer: the code as HTML beside each step's diagram, the diagram
 * stacked for a phone's column when it is wider than one, drawn (not scaled) for it, and every box defined once.
 */
import { readFileSync } from 'node:fs';
import { selectAll, select } from 'hast-util-select';
import { toString } from 'hast-util-to-string';
import type { Element } from 'hast';
import { describe, expect, it } from 'vitest';
import { arrangementClass, renderFigure } from '../../plugin/src/figure/markup.ts';
import { htmlBytes } from '../../plugin/src/figure/hast.ts';
import { render } from '../../plugin/src/render/index.ts';
import { NARROW_WIDTH } from '../../plugin/src/render/sizes.ts';
import type { Trace } from '../../plugin/src/trace/format.ts';

const fixture = (name: string): Trace =>
  JSON.parse(readFileSync(new URL(`../fixtures/render/${name}/trace.json`, import.meta.url), 'utf8')) as Trace;
const attr = (el: { properties: Record<string, unknown> } | undefined, name: string) => el?.properties[name];

describe('a page figure of the seed program', async () => {
  const trace = fixture('seed');
  const figure = await render(trace, { idPrefix: 'mts-', layout: 'page' });
  const tree = renderFigure(figure, { id: 'mts', title: 'Seed' });
  const fig = select('figure', tree)!;

  it('sets the code as text in every step, with the next line and the line that just ran marked', () => {
    const lines = trace.code.replace(/\n+$/, '').split('\n');
    const steps = selectAll('li.memtrace-step', tree);
    expect(steps).toHaveLength(trace.steps.length);
    steps.forEach((li, k) => {
      const code = selectAll('.mt-src .mt-l', li).map((l) => toString(l));
      expect(code.map((l) => l.trim())).toEqual(lines.map((l) => l.trim()));
      const next = selectAll('.mt-l.mt-n', li);
      expect(next).toHaveLength(1);
      expect(code.indexOf(toString(next[0]!)) + 1).toBe(trace.steps[k]!.line);
      if (k > 0) expect(selectAll('.mt-l.mt-p', li)).toHaveLength(1);
    });
    // The marks point at the two arrows of the shared definitions.
    for (const id of ['mts-n', 'mts-p']) expect(figure.shared).toContain(`id="${id}"`);
    expect(selectAll('.mt-legend use', fig).map((u) => attr(u, 'href'))).toEqual(['#mts-p', '#mts-n']);
  });

  it('draws no code in the diagrams, and gives each step a stacked diagram no wider than a phone column', () => {
    expect(figure.width).toBeGreaterThan(NARROW_WIDTH);
    expect(figure.narrow!.width).toBeLessThanOrEqual(NARROW_WIDTH);
    expect(figure.narrow!.height).toBeGreaterThan(figure.height);
    for (const s of figure.steps) {
      expect(s.svg).not.toContain('self.name = name');
      expect(s.narrow).toBeDefined();
      expect(s.narrow).toContain(`width="${figure.narrow!.width}"`);
    }
    expect(fig.properties.className).toContain(arrangementClass(figure.width));
    const dia = selectAll('li.memtrace-step', tree).map((li) =>
      selectAll('.mt-dia > svg', li).map((svg) => attr(svg, 'className')),
    );
    for (const d of dia) expect(d).toEqual([['mt-x'], ['mt-y']]);
  });

  it('defines every box once whatever the number of arrangements: both place the same definitions', () => {
    const defs = [...figure.shared!.matchAll(/<g id="(mts-d\d+)[uo]"/g)].map((m) => m[1]);
    expect(new Set(defs).size).toBeGreaterThan(0);
    const used = (svg: string) => new Set([...svg.matchAll(/href="#(mts-d\d+)[uo]"/g)].map((m) => m[1]));
    const wide = new Set(figure.steps.flatMap((s) => [...used(s.svg)]));
    const narrow = new Set(figure.steps.flatMap((s) => [...used(s.narrow!)]));
    expect([...narrow].sort()).toEqual([...wide].sort());
    // Ids stay unique on the page.
    const ids = [...htmlBytes(tree).matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBe(new Set(ids).size);
  });
});

it('gives a figure that fits a phone as it is one diagram only', async () => {
  const figure = await render(fixture('aliasing'), { idPrefix: 'mta-', layout: 'page' });
  expect(figure.width).toBeLessThanOrEqual(NARROW_WIDTH);
  expect(figure.narrow).toBeUndefined();
  expect(figure.steps.every((s) => s.narrow === undefined)).toBe(true);
  expect(select('figure', renderFigure(figure, { id: 'mta' }))!.properties.className).toEqual([
    'memtrace',
    'not-content',
  ]);
});

it('rounds the width the stylesheet switches at up to one it knows', () => {
  expect([300, 360, 361, 480, 747, 1000, 5000].map(arrangementClass)).toEqual([
    'mt-w360',
    'mt-w360',
    'mt-w480',
    'mt-w480',
    'mt-w840',
    'mt-w1080',
    'mt-w1200',
  ]);
});

it.each([
  ['linked-list', 'class="mt-y"'],
  ['long-containers', 'class="mt-y mt-pan"'],
])('draws a page figure byte for byte the same on every run (%s)', async (name, has) => {
  const html = async () =>
    htmlBytes(renderFigure(await render(fixture(name), { idPrefix: 'mtl-', layout: 'page' }), { id: 'mtl' }));
  const [a, b] = [await html(), await html()];
  expect(a).toContain(has);
  expect(b).toBe(a);
});

it('pans a stacked structure wider than a phone column in a box of its own, a second view of the one drawing', async () => {
  const figure = await render(fixture('long-containers'), { idPrefix: 'mtc-', layout: 'page' });
  const band = figure.narrow!.band!;
  // Above the band, the stacked diagram fits the column; the band holds what does not.
  expect(band.width).toBeLessThanOrEqual(NARROW_WIDTH);
  expect(figure.narrow!.width).toBeGreaterThan(NARROW_WIDTH);
  expect(band.y).toBeGreaterThan(0);
  expect(band.y).toBeLessThan(figure.narrow!.height);
  const tree = renderFigure(figure, { id: 'mtc', title: 'Long' });
  selectAll('li.memtrace-step', tree).forEach((li, i) => {
    const [wide, above, pan, ...rest] = select('.mt-dia', li)!.children as Element[];
    expect(rest).toEqual([]);
    expect(attr(wide, 'className')).toEqual(['mt-x']);
    expect(attr(above, 'className')).toEqual(['mt-y']);
    expect(attr(above, 'viewBox')).toBe(`0 0 ${band.width} ${band.y}`);
    // The step's drawing is one group, which the band's view places again: nothing is drawn twice.
    const drawing = select('svg > g', above)!;
    expect(attr(drawing, 'id')).toBe(`mtc-v${i + 1}`);
    expect(attr(drawing, 'fontFamily')).toBeDefined();
    expect(attr(pan, 'className')).toEqual(['mt-y', 'mt-pan']);
    const view = select('svg', pan)!;
    const { width, height } = figure.narrow!;
    expect(attr(view, 'viewBox')).toBe(`0 ${band.y} ${width} ${height - band.y}`);
    expect(attr(view, 'ariaHidden')).toBe('true');
    expect((view.children as Element[]).map((e) => [e.tagName, attr(e, 'href')])).toEqual([['use', `#mtc-v${i + 1}`]]);
  });
  // The title still names the step, and ids stay unique on the page.
  expect(toString(select('.mt-y title', tree)!)).toContain('Step 1');
  const ids = [...htmlBytes(tree).matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
  expect(ids.length).toBe(new Set(ids).size);
});
