/**
 * Layouts are kept across figures (boxes.ts): that is sound only if a fragment's layout is the same wherever satori
 * puts it on a sheet, whatever else the sheet holds. Checked on every fragment of every fixture, and end to end: a
 * figure drawn again, all from kept layouts, is the figure drawn first. (fixtures.test.ts draws its cases one after
 * another in one process, so there the later ones are drawn partly from the earlier ones' layouts.)
 */
import { readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { figureFragments } from '../../plugin/src/render/boxes.ts';
import { modelFigure } from '../../plugin/src/render/figure-model.ts';
import { render } from '../../plugin/src/render/index.ts';
import { renderSheet, type Rendered } from '../../plugin/src/render/sheet.ts';
import { FIXTURES } from './fixture-harness.ts';
import { fixtureTrace } from './helpers.ts';

const ALL = readdirSync(FIXTURES);
const written = (r: Rendered) => JSON.stringify({ w: r.w, h: r.h, items: r.items, anchors: [...r.anchors] });

describe('a fragment is laid out alike alone and among others', () => {
  test.each(ALL)('%s', async (c) => {
    const trace = fixtureTrace(c);
    const { unique } = figureFragments(
      modelFigure(
        trace,
        trace.steps.map((_, i) => i),
        {},
      ),
    );
    const sheet = await renderSheet(unique);
    // Alone, and last on a sheet behind all the others (so at a different place than on the figure's own sheet).
    const behind = await renderSheet([...unique].reverse());
    for (const s of unique) {
      const alone = (await renderSheet([s])).get(s.key)!;
      expect(written(alone), s.key).toBe(written(sheet.get(s.key)!));
      expect(written(behind.get(s.key)!), s.key).toBe(written(sheet.get(s.key)!));
    }
  });
});

test('a figure drawn again after others is the figure drawn first', async () => {
  const [first, ...others] = ALL;
  const svgs = async (c: string) => (await render(fixtureTrace(c), { idPrefix: 'mtl-' })).steps.map((s) => s.svg);
  const fresh = await svgs(first!);
  for (const c of others) await svgs(c);
  expect(await svgs(first!)).toEqual(fresh);
});

describe('a page lays out only what its SVG draws', () => {
  // On a page the code, the output and the exception are HTML beside the SVG: laying them out would be wasted, and a
  // loop that prints would have satori lay out its output once per step.
  const COLUMN_KEYS = /^(code|legend|out|exc|hdPrint output)/;
  test.each(ALL)('%s', (c) => {
    const trace = fixtureTrace(c);
    const model = modelFigure(
      trace,
      trace.steps.map((_, i) => i),
      {},
    );
    const onPage = figureFragments(model, false);
    const drawn = figureFragments(model, true);
    expect(onPage.column).toBeUndefined();
    expect(onPage.unique.filter((s) => COLUMN_KEYS.test(s.key)).map((s) => s.key)).toEqual([]);
    // The same boxes otherwise, and the column's as many as the steps that show one.
    const keys = (f: typeof drawn) => f.unique.map((s) => s.key).filter((k) => !COLUMN_KEYS.test(k));
    expect(keys(onPage)).toEqual(keys(drawn));
    expect(drawn.column?.output).toHaveLength(trace.steps.length);
    expect(drawn.unique.some((s) => s.key === 'code')).toBe(true);
  });
});
