/** Properties every rendered figure must have, checked on real traces (the fixtures) through the public API. */
import { gzipSync } from 'node:zlib';
import { readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { render, THEME_CSS, PALETTE } from '../../plugin/src/render/index.ts';
import { buildModels } from '../../plugin/src/render/model.ts';
import { assignSlots } from '../../plugin/src/render/placement.ts';
import { Layer } from '../../plugin/src/render/svg.ts';
import { FIXTURES } from './fixture-harness.ts';
import { drawing } from './drawing.ts';
import { attrValues, fixtureTrace } from './helpers.ts';
import type { Trace } from '../../plugin/src/trace/format.ts';

const ALL = readdirSync(FIXTURES);

describe('every fixture', () => {
  test.each(ALL)('%s: ids prefixed and resolvable, one size, colours only through theme variables', async (c) => {
    const fig = await render(fixtureTrace(c), { idPrefix: 'mtq7-' });
    const allIds = new Set<string>();
    for (const s of fig.steps) {
      expect(s.svg).toMatch(/^<svg [^>]*role="img"/);
      expect(s.svg).not.toMatch(/satori/);
      expect(attrValues(s.svg, 'width')[0]).toBe(String(fig.width));
      expect(attrValues(s.svg, 'height')[0]).toBe(String(fig.height));
      const ids = attrValues(s.svg, 'id');
      for (const id of ids) {
        expect(id.startsWith('mtq7-')).toBe(true);
        expect(allIds.has(id), `duplicate id ${id}`).toBe(false);
        allIds.add(id);
      }
      const refs = [...s.svg.matchAll(/url\(#([^)]+)\)/g)]
        .map((m) => m[1]!)
        .concat(attrValues(s.svg, 'aria-labelledby'));
      for (const r of refs) expect(ids).toContain(r);
      for (const attr of ['fill', 'stroke']) {
        for (const v of attrValues(s.svg, attr))
          expect(v === 'none' || /^var\(--memtrace-[a-z-]+,#[0-9a-f]{6}\)$/.test(v), `${attr}="${v}"`).toBe(true);
      }
    }
  });

  test.each(ALL)('%s: within one figure, a step costs at most 1 KB gzipped after the first', async (c) => {
    for (const shared of [false, true]) {
      const fig = await render(fixtureTrace(c), { idPrefix: 'mtq7-', shared });
      // Against the figure of the first step alone: what later steps share through <use> counts as theirs.
      const alone = await render(fixtureTrace(c), { idPrefix: 'mtq7-', shared, steps: [0] });
      const first = gzipSync((alone.shared ?? '') + alone.steps[0]!.svg).length;
      const all = gzipSync((fig.shared ?? '') + fig.steps.map((s) => s.svg).join('')).length;
      expect((all - first) / Math.max(1, fig.steps.length - 1)).toBeLessThanOrEqual(1024);
    }
  });

  test.each(ALL)('%s: with `shared`, each step draws exactly what it draws on its own', async (c) => {
    const alone = await render(fixtureTrace(c), { idPrefix: 'mtq7-' });
    const fig = await render(fixtureTrace(c), { idPrefix: 'mtq7-', shared: true });
    expect(alone.shared).toBeUndefined();
    const shared = fig.shared!;
    const ids = attrValues(shared, 'id');
    expect(ids.slice(0, 4)).toEqual(['mtq7-b', 'mtq7-a', 'mtq7-n', 'mtq7-p']);
    for (const id of ids.slice(4)) expect(id).toMatch(/^mtq7-d\d+[uo]$/);
    // Texts whose spaces matter carry xml:space, which a <use> clone keeps and a page rule does not reach.
    for (const m of shared.matchAll(/<text [^>]*>([^<]*)<\/text>/g))
      expect(m[0].includes('xml:space="preserve"')).toBe(/^ | {2}| $/.test(m[1]!));
    // A line arrow: solid or hollow, and where its tip is.
    const arrows = (svg: string) =>
      [...svg.matchAll(/<polygon points="(?:[-\d.]+,[-\d.]+ ){3}([-\d.]+),([-\d.]+)[^"]*"( fill="none")?/g)]
        .map((m) => `${m[3] ? 'p' : 'n'} ${m[1]} ${m[2]}`)
        .concat(
          [...svg.matchAll(/<use href="#mtq7-([np])" x="([-\d.]+)" y="([-\d.]+)"\/>/g)].map(
            (m) => `${m[1]} ${m[2]} ${m[3]}`,
          ),
        )
        .sort();
    const definedArrows = arrows(shared).filter((a) => !a.endsWith(' 0 0'));
    let reused = 0;
    fig.steps.forEach((s, k) => {
      const own = alone.steps[k]!.svg;
      expect(s.svg.match(/<use href="#mtq7-b"\/>/g)).toHaveLength(1);
      expect(s.svg).not.toContain('<marker');
      for (const r of s.svg.matchAll(/url\(#([^)]+)\)/g)) expect(r[1]).toBe('mtq7-a');
      for (const u of s.svg.matchAll(/<use href="#([^"]+)"/g)) expect(ids).toContain(u[1]);
      reused += s.svg.match(/<use href="#mtq7-d/g)?.length ?? 0;
      // The same rects, texts and shapes, in the same places, with the same paint.
      const noArrows = (d: string[]) => d.filter((x) => !x.startsWith('polygon ') && !/^use mtq7-[np] /.test(x));
      expect(noArrows(drawing(s.svg, shared)), `step ${k + 1}`).toEqual(noArrows(drawing(own)));
      expect([...arrows(s.svg), ...definedArrows].sort()).toEqual(arrows(own));
      expect(s.svg.length).toBeLessThan(own.length);
    });
    // A figure of more than two steps has something to reuse.
    if (fig.steps.length > 2) expect(reused).toBeGreaterThan(0);
  });

  test.each(ALL)('%s: an object keeps its place while it lives', (c) => {
    const trace = fixtureTrace(c);
    const models = buildModels(
      trace,
      trace.steps.map((_, i) => i),
      { hide: [], showExited: true },
    );
    const slots = assignSlots(models);
    for (let k = 1; k < slots.length; k++) {
      for (const [id, slot] of slots[k]!) {
        const before = slots[k - 1]!.get(id);
        if (before) expect(slot, `${c}: object ${id} moved at step ${k + 1}`).toEqual(before);
      }
      // No two objects share a place.
      const places = [...slots[k]!.values()].map((s) => `${s.row},${s.col}`);
      expect(new Set(places).size).toBe(places.length);
    }
  });
});

test('every colour the SVGs use has a light and a dark value in the theme', async () => {
  const used = new Set<string>();
  for (const c of ALL) {
    for (const s of (await render(fixtureTrace(c))).steps)
      for (const m of s.svg.matchAll(/var\((--memtrace-[a-z-]+)/g)) used.add(m[1]!);
  }
  expect(used.size).toBeGreaterThan(10);
  const names = Object.values(PALETTE).map((p) => p.name);
  for (const u of used) {
    expect(names).toContain(u);
    // Declared once for light and twice for dark (media query and data-theme).
    expect(THEME_CSS.split(`${u}:`).length - 1).toBe(3);
  }
  expect(THEME_CSS).toMatch(/@media \(prefers-color-scheme: dark\)/);
  expect(THEME_CSS).toMatch(/\[data-theme='dark'\]/);
  expect(THEME_CSS).toMatch(/\[data-theme='light'\]/);
});

test('the same trace gives the same bytes', async () => {
  const a = await render(fixtureTrace('seed'), { idPrefix: 'mtz-' });
  await render(fixtureTrace('linked-list'), { idPrefix: 'mtz-' });
  const b = await render(fixtureTrace('seed'), { idPrefix: 'mtz-' });
  expect(JSON.stringify(b)).toBe(JSON.stringify(a));
});

describe('the seed example', () => {
  test('titles each step and says what it shows in text', async () => {
    const trace = fixtureTrace('seed');
    const fig = await render(trace, { title: 'Two frames, one object' });
    expect(fig.steps).toHaveLength(trace.steps.length);
    const ret = fig.steps.findIndex(
      (_s, i) => trace.steps[i]!.event === 'return' && trace.steps[i]!.frames.at(-1)!.name === 'function2',
    );
    const s = fig.steps[ret]!;
    expect(s.svg).toContain(
      `<title id="mt-t${ret}">Two frames, one object: Step ${ret + 1} of ${trace.steps.length}, line 8</title>`,
    );
    expect(
      s.text.startsWith(
        `Step ${ret + 1} of ${trace.steps.length}, line 8 (returning): return MyObject("Test", a ** x, [1, 2, 3])`,
      ),
    ).toBe(true);
    expect(s.text).toMatch(
      /function2 \(f\d+, running\):\n {4}a = 10\n {4}x = 2\n {4}Return value → object (\d+) \(new\)/,
    );
    const obj = /Return value → object (\d+)/.exec(s.text)![1];
    expect(s.text).toContain(`object ${obj}: MyObject instance: name = 'Test', value = 100, data → object`);
    expect(s.text).toMatch(/list of 3: \[0\] 1, \[1\] 2, \[2\] 3/);
    expect(s.svg).toContain('Return value');
    expect(s.svg).toContain('MyObject instance');
    const last = fig.steps.at(-1)!;
    expect(last.text).toContain('Print output:\nTest 100 [1, 2, 3]\n100');
    expect(last.svg).toContain('>Test 100 [1, 2, 3]</text>');
  });

  test('marks the line that just ran and the next line with different shapes, and a legend', async () => {
    const fig = await render(fixtureTrace('seed'));
    const s = fig.steps[10]!.svg;
    // Legend (2) + the two lines: a hollow (stroked) and a solid (filled) arrow each.
    expect(s.match(/<polygon [^>]*fill="none" stroke="var\(--memtrace-prev-line/g)).toHaveLength(2);
    expect(s.match(/<polygon [^>]*fill="var\(--memtrace-accent/g)).toHaveLength(2);
    expect(s).toContain('line that just ran');
    expect(s).toContain('next line to run');
  });

  test('hides variables and frames by name or glob', async () => {
    const fig = await render(fixtureTrace('seed'), { hide: ['function2', 'a', 'My*'] });
    const text = fig.steps.map((s) => s.text).join('\n');
    expect(text).toMatch(/^ {4}function1 →/m);
    expect(text).not.toMatch(/^ {4}(function2|MyObject) →/m);
    expect(text).not.toMatch(/^ {2}function2 \(/m);
    expect(text).toMatch(/^ {2}function1 \(/m);
    expect(text).not.toMatch(/^ {4}a = 10/m);
    expect(text).toMatch(/^ {4}x = 2/m);
    expect(text).toMatch(/^ {2}__init__ \(/m);
    // What only hidden names reached is not drawn: the function2 object.
    expect(text).not.toContain('function function2(');
  });

  test('renders only the chosen steps, marking changes since the previous shown step', async () => {
    const trace = fixtureTrace('seed');
    const n = trace.steps.length;
    const atLine = (line: number) => trace.steps.findIndex((s) => s.line === line);
    const shown = [0, atLine(12), atLine(14), n - 1];
    const fig = await render(trace, { steps: shown });
    expect(fig.steps.map((s) => s.index)).toEqual(shown);
    expect(fig.steps[1]!.text).toContain('Step 2 of 4');
    // Between the steps at lines 12 and 14, function1 got b and the instance appeared.
    expect(fig.steps[2]!.text).toMatch(/b in function1 \(new\)/);
    expect(fig.steps[2]!.text).toMatch(/object \d+ \(new\)/);
    await expect(render(trace, { steps: [n] })).rejects.toThrow(new RegExp(`no step ${n}`));
  });

  test('can draw primitives as heap objects', async () => {
    const fig = await render(fixtureTrace('seed'), { heapPrimitives: true });
    const s = fig.steps[fixtureTrace('seed').steps.findIndex((x) => x.line === 13)]!;
    expect(s.text).toMatch(/a → object \d+/);
    expect(s.text).toMatch(/object \d+: int: 10/);
    expect(s.svg).toContain('>int</text>');
  });
});

test('aliasing: two names, two arrows into one box', async () => {
  const fig = await render(fixtureTrace('aliasing'));
  const s = fig.steps[3]!;
  expect(s.text).toMatch(/a → object 1\n {4}b → object 1/);
  const arrows = /<g fill="none" stroke="[^"]*" stroke-width="1.5" marker-end="[^"]*">(.*?)<\/g>/.exec(s.svg)![1]!;
  expect(arrows.match(/<path d=/g)).toHaveLength(2);
  expect(s.text).toContain('object 1 (changed)');
  expect(s.svg).toContain('✱ changed');
});

test('closures: exited frames stay, greyed and labelled, and functions name their parent', async () => {
  const trace = fixtureTrace('closure');
  const fig = await render(trace);
  const i = trace.steps.findIndex((s) => s.frames.filter((f) => f.exited).length === 2);
  expect(i).toBeGreaterThan(0);
  expect(fig.steps[i]!.svg).toContain('[parent=f1]');
  expect(fig.steps[i]!.svg).toMatch(/f1 exited/);
  expect(fig.steps[i]!.text).toMatch(/make_adder \(f1, exited\)/);
  const hidden = await render(trace, { showExited: false });
  expect(hidden.steps[i]!.text).not.toContain('exited');
});

test('cycles: kept alive by a cycle, then drawn once more as freed', async () => {
  const trace = fixtureTrace('cycle');
  const fig = await render(trace);
  const kept = trace.steps.findIndex((s) => s.cycleOnly?.length);
  const freed = trace.steps.findIndex((s) => s.freed?.length);
  expect(kept).toBeGreaterThan(0);
  expect(freed).toBeGreaterThan(kept);
  expect(fig.steps[kept]!.svg).toContain('kept alive by a cycle');
  expect(fig.steps[kept]!.text).toContain('kept alive only by a reference cycle');
  expect(fig.steps[freed]!.svg).toMatch(/<g opacity="\.4">.*freed/);
  expect(fig.steps[freed]!.text).toMatch(/Freed: object \d+ \(list\), object \d+ \(list\)/);
  expect(fig.steps[freed + 1]?.svg ?? '').not.toContain('freed');
});

test('long containers and strings are cut in the picture and whole in the text', async () => {
  const trace = fixtureTrace('long-containers');
  const fig = await render(trace);
  const last = fig.steps.at(-1)!;
  expect(last.svg).toContain('… 18 more');
  expect(last.svg).toContain('… 3 more');
  const text = `'${'memtrace draws the heap. '.repeat(8)}'`;
  expect(last.svg).not.toContain(text);
  expect(last.svg).toContain('&#39;memtrace draws th…&#39;');
  expect(last.text).toContain(`text = ${text}`);
  expect(last.text).toContain('[29] 841');
});

test('program text cannot inject markup', async () => {
  const fig = await render(fixtureTrace('escaping'));
  for (const s of fig.steps) {
    expect(s.svg).not.toMatch(/<(script|img|b|x)[\s>]/i);
    expect(s.svg).not.toContain(']]><!--');
    // Nothing but the renderer's own elements.
    const tags = new Set([...s.svg.matchAll(/<([a-zA-Z]+)/g)].map((m) => m[1]));
    for (const t of tags)
      expect(['svg', 'title', 'defs', 'marker', 'path', 'rect', 'g', 'text', 'polygon', 'circle']).toContain(t);
  }
  const last = fig.steps.at(-1)!;
  expect(last.svg).toContain('&lt;/svg&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(last.text).toContain("s = '</svg><script>alert(1)</script>'");
  expect(last.text).toContain('Print output:\n</svg><script>alert(1)</script>\n<img src=x onerror=alert(1)> & done');
  await expect(render(fixtureTrace('escaping'), { idPrefix: '"><script>' })).rejects.toThrow(/idPrefix/);
  const titled = await render(fixtureTrace('escaping'), { title: '</title><script>x</script>' });
  expect(titled.steps[0]!.svg).toContain('&lt;/title&gt;&lt;script&gt;x&lt;/script&gt;');
});

test('an uncaught exception is shown', async () => {
  const trace = fixtureTrace('exception');
  const fig = await render(trace);
  const i = trace.steps.findIndex((s) => s.exception);
  // Wrapped at a word, not clipped.
  expect(fig.steps[i]!.svg).toMatch(/>ZeroDivisionError: division(?: by)?<\/text><text [^>]*>(?:by )?zero<\/text>/);
  expect(fig.steps.at(-1)!.text).toContain('Exception: ZeroDivisionError: division by zero');
});

describe('a star import', () => {
  const trace = fixtureTrace('import-star');
  const globals = (k: number, shown = trace.steps.map((_, i) => i)) =>
    buildModels(trace, shown, { hide: [], showExited: true })[k]!.frames[0]!.rows;
  // Every global of the last step but x came with the import (mul too, which the program rebinds).
  const imported = trace.steps.at(-1)!.frames[0]!.locals.length - 1;

  test('is one row, muted, and its names draw no objects; the text version names them all', async () => {
    expect(imported).toBeGreaterThan(50);
    const rows = globals(1);
    expect(rows.map((r) => [r.name, (r.value as { repr: string }).repr, r.mark])).toEqual([
      ['operator.*', `${imported} names`, 'new'],
    ]);
    const fig = await render(trace);
    expect(fig.steps[1]!.svg).toMatch(
      /<g fill="var\(--memtrace-muted,#[0-9a-f]+\)">(?:<text [^>]*>[^<]*<\/text>)*<text [^>]*>57 names<\/text>/,
    );
    expect(imported).toBe(57);
    expect(fig.steps[1]!.svg).not.toContain('function');
    expect(fig.steps[1]!.text).toContain('57 names from operator (from operator import *), not drawn: abs, add, and_,');
    expect(fig.steps[1]!.text).toContain(', xor (new)');
  });

  test('gives a rebound name its own row, marked, and counts one fewer', () => {
    // mul = 7 rebinds one of operator's names.
    const rows = globals(3);
    expect(rows.map((r) => [r.name, r.mark])).toEqual([
      ['operator.*', 'changed'],
      ['mul', 'changed'],
      ['x', undefined],
    ]);
    expect((rows[0]!.value as { repr: string }).repr).toBe(`${imported - 1} names`);
  });

  test('counts only the names the figure shows, and marks nothing when nothing changed', () => {
    const rows = (k: number) =>
      buildModels(
        trace,
        trace.steps.map((_, i) => i),
        { hide: ['i*'], showExited: true },
      )[k]!.frames[0]!.rows;
    const hiddenCount = trace.steps.at(-1)!.frames[0]!.locals.filter(([n]) => n.startsWith('i')).length;
    expect(hiddenCount).toBeGreaterThan(5);
    expect((rows(1)[0]!.value as { repr: string }).repr).toBe(`${imported - hiddenCount} names`);
    expect(rows(2)[0]!.mark).toBeUndefined();
  });

  test('folds the same whatever steps a figure shows', () => {
    expect(globals(0, [3]).map((r) => r.name)).toEqual(['operator.*', 'mul', 'x']);
  });
});

test('theme.css is the documented theme', async () => {
  const { readFileSync } = await import('node:fs');
  const { THEME_CSS_DOCUMENTED } = await import('../../plugin/src/render/theme.ts');
  expect(readFileSync(new URL('../../plugin/src/render/theme.css', import.meta.url), 'utf8')).toBe(
    THEME_CSS_DOCUMENTED,
  );
  for (const p of Object.values(PALETTE))
    expect(THEME_CSS_DOCUMENTED).toContain(`${p.name}: ${'sheet' in p ? p.sheet : p.light}; /* ${p.doc} */`);
});

describe('a stack deeper than the tracer keeps', () => {
  const textY = (svg: string, s: string) =>
    Number(new RegExp(`<text x="[\\d.]+" y="([\\d.]+)">${s}</text>`).exec(svg)![1]);

  test('shows the calls it leaves out as a gap between the outer and inner frames, in the picture and the text', async () => {
    const trace = fixtureTrace('deep-recursion');
    const deepest = trace.steps.findIndex((s) => s.omittedFrames?.count === 21);
    expect(trace.steps[deepest]!.omittedFrames).toEqual({ after: 10, count: 21 });
    const fig = await render(trace, { steps: [deepest - 3, deepest] });
    const s = fig.steps[1]!;
    expect(s.text).toMatch(
      /^ {2}depth \(f10\):\n {4}n = 51\n {2}… 21 more frames of depth, not shown\n {2}depth \(f32\):\n {4}n = 29$/m,
    );
    const gap = textY(s.svg, '… 21 more frames of depth');
    expect(gap).toBeGreaterThan(textY(s.svg, 'f10'));
    expect(gap).toBeLessThan(textY(s.svg, 'f32'));
    // Three steps earlier, one frame fewer was left out: the label follows the step.
    expect(fig.steps[0]!.text).toContain('… 20 more frames of depth, not shown');
    expect(fig.steps[0]!.svg).not.toContain('21 more');
  });

  test('names the left-out function only when every call in the gap runs it', async () => {
    const { traceInProcess } = await import('../../scripts/dev-run.ts');
    const code =
      'def even(n):\n    return True if n == 0 else odd(n - 1)\n\ndef odd(n):\n    return False if n == 0 else even(n - 1)\n\neven(50)\n';
    const trace = (await traceInProcess(code, { maxSteps: 2000 })) as Trace;
    const deep = trace.steps.findIndex((s) => (s.omittedFrames?.count ?? 0) > 2);
    const fig = await render(trace, { steps: [deep] });
    const count = trace.steps[deep]!.omittedFrames!.count;
    expect(fig.steps[0]!.text).toContain(`… ${count} more frames, not shown`);
    expect(fig.steps[0]!.svg).toContain(`>… ${count} more frames</text>`);
  });

  test('hiding the recursive function hides its left-out calls too', async () => {
    const trace = fixtureTrace('deep-recursion');
    const fig = await render(trace, { steps: [trace.steps.findIndex((s) => s.omittedFrames)], hide: ['depth'] });
    expect(fig.steps[0]!.text).not.toContain('more frame');
    expect(fig.steps[0]!.svg).not.toContain('more frame');
  });
});

describe('bytes', () => {
  test('rects of one paint share a path unless something painted between them overlaps', () => {
    const layer = new Layer();
    layer.rect(0, 0, 100, 100, 'A');
    layer.rect(10, 10, 20, 20, 'B');
    layer.rect(200, 0, 50, 50, 'A');
    layer.rect(15, 15, 5, 5, 'A');
    layer.rect(300, 0.04, 10, 10, 'B');
    // Level 0: both big A rects (one path) and the lone B; level 1: the B inside; level 2: the A inside that B.
    expect(layer.toString()).toBe(
      '<g fill="A"><rect x="0" y="0" width="100" height="100"/><path d="M200 0h50v50h-50z"/></g>' +
        '<g fill="B"><rect x="300" y="0" width="10" height="10"/></g>' +
        '<g fill="B"><rect x="10" y="10" width="20" height="20"/></g>' +
        '<g fill="A"><rect x="15" y="15" width="5" height="5"/></g>',
    );
  });

  test('a column of equal cells is the same bytes row after row', () => {
    const layer = new Layer();
    for (let j = 0; j < 4; j++) layer.rect(450, 57 + j * 26, 38, 24, 'A');
    expect(layer.toString()).toBe(
      '<g fill="A"><rect x="450" y="57" width="38" height="24"/><path d="M450 83h38v24h-38zm0 26h38v24h-38zm0 26h38v24h-38z"/></g>',
    );
  });

  test("a figure with a big imported namespace stays cheap per step (steps fit in gzip's window)", async () => {
    const { traceInProcess } = await import('../../scripts/dev-run.ts');
    const code =
      'from string import *\nfrom math import *\nfrom itertools import *\nx = 1\nfor i in range(5):\n    x = x * 2\nprint(x)\n';
    const trace = (await traceInProcess(code)) as Trace;
    expect(trace.steps.at(-1)!.frames[0]!.locals.length).toBeGreaterThan(90);
    const svgs = (await render(trace)).steps.map((s) => s.svg);
    // Before rects, marks and dots were packed, each step was 44 KB and cost 5.6 KB gzipped.
    expect(Math.max(...svgs.map((s) => s.length))).toBeLessThan(32 * 1024);
    const marginal = (gzipSync(svgs.join('')).length - gzipSync(svgs[0]!).length) / (svgs.length - 1);
    expect(marginal).toBeLessThanOrEqual(1024);
  });
});
