/**
 * A container draws its first MAX_ITEMS cells and sums up the rest as "… N more": the objects only those left-out
 * cells reach are not drawn (they would have no arrow into them), nor drawn dying, but the text version tells them.
 */
import { describe, expect, test } from 'vitest';
import { render } from '../../plugin/src/render/index.ts';
import { buildModels } from '../../plugin/src/render/model.ts';
import { MAX_ITEMS } from '../../plugin/src/render/sizes.ts';
import type { HeapObject, Trace } from '../../plugin/src/trace/format.ts';
import { trace } from '../trace/helpers.ts';

const N = MAX_ITEMS + 3;
const firstItem = (o: HeapObject) => ('items' in o ? o.items[0] : undefined);
const itemsOf = (objects: { obj: HeapObject }[]) =>
  objects.flatMap(({ obj }) => {
    const v = obj.kind === 'list' && obj.items.length === 1 ? firstItem(obj) : undefined;
    return v && 'repr' in v ? [Number(v.repr)] : [];
  });
const lastModel = (t: Trace) => buildModels(t, [t.steps.length - 1], { hide: [], showExited: true })[0]!;

describe('objects behind "… N more"', () => {
  test('are not drawn unless something drawn reaches them, and the text version tells every one', async () => {
    // The lists [0] … [N-1]; the last one is also a variable's.
    const t = await trace(`rows = [[i] for i in range(${N})]\nlast = rows[-1]\n`);
    const m = lastModel(t);
    const drawn = Array.from({ length: MAX_ITEMS }, (_, i) => i);
    expect(itemsOf(m.objects)).toEqual([...drawn, N - 1]);
    expect(itemsOf(m.unseen)).toEqual([MAX_ITEMS, MAX_ITEMS + 1]);
    const fig = await render(t, { steps: [t.steps.length - 1] });
    // The outer list and every inner one: N + 1 objects in the text version.
    expect(fig.steps[0]!.text.match(/^ {2}object \d+:/gm)).toHaveLength(N + 1);
  });

  test('one that dies unseen is not drawn freed; a drawn one is', async () => {
    const t = await trace(`rows = [[i] for i in range(${N})]\nrows[${MAX_ITEMS}] = None\nrows[0] = None\n`);
    const models = buildModels(t, [...t.steps.keys()], { hide: [], showExited: true });
    const freed = models.flatMap((m) => itemsOf(m.objects.filter((o) => o.status === 'freed')));
    expect(freed).toEqual([0]);
  });
});
