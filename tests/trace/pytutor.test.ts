// The Python Tutor export: its trace format, and agreement with Python Tutor's own traces (shared conformance set).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import { traceInProcess, traceJsonInProcess } from '../../scripts/dev-run.ts';
import { isPytutorTrace, type PytutorTrace } from '../../plugin/src/trace/pytutor.ts';
import { SEED } from './helpers.ts';

import { CONFORMANCE_DIR as CONFORMANCE } from '../conformance.ts';

async function pytutor(code: string): Promise<PytutorTrace> {
  const r = await traceInProcess(code, { format: 'pytutor' });
  if (!isPytutorTrace(r)) throw new Error(JSON.stringify(r));
  return r;
}

beforeAll(async () => {
  await pytutor('pass');
});

test('seed example in Python Tutor format', async () => {
  const t = await pytutor(SEED);
  expect(t.code).toBe(SEED);
  expect(t.trace.map((s) => `${s.event}:${s.line}`).slice(0, 5)).toEqual([
    'step_line:1',
    'step_line:7',
    'step_line:10',
    'step_line:17',
    'call:10',
  ]);
  const ret = t.trace.find((s) => s.event === 'return' && s.func_name === 'function2')!;
  expect(ret.ordered_globals).toEqual(['MyObject', 'function2', 'function1']);
  expect(ret.globals!.function2).toEqual(['REF', expect.any(Number)]);
  const [outer, inner] = ret.stack_to_render!;
  expect(outer).toMatchObject({
    func_name: 'function1',
    is_highlighted: false,
    is_zombie: false,
    unique_hash: 'function1_f1',
  });
  expect(inner).toMatchObject({
    func_name: 'function2',
    frame_id: 2,
    is_highlighted: true,
    ordered_varnames: ['a', 'x', '__return__'],
    encoded_locals: { a: 10, x: 2 },
    parent_frame_id_list: [],
  });
  const instRef = inner.encoded_locals.__return__ as ['REF', number];
  const inst = ret.heap![instRef[1]];
  expect(inst.slice(0, 2)).toEqual(['INSTANCE', 'MyObject']);
  // attributes sorted by name, as Python Tutor does
  expect(inst.slice(2).map((p) => (p as unknown[])[0])).toEqual(['data', 'name', 'value']);
  const data = (inst[2] as [string, ['REF', number]])[1];
  expect(ret.heap![data[1]]).toEqual(['LIST', 1, 2, 3]);
  expect(ret.heap![(ret.globals!.function2 as ['REF', number])[1]]).toEqual(['FUNCTION', 'function2(a, x)', null]);
  expect(t.trace.at(-1)).toMatchObject({ event: 'return', func_name: '<module>', stdout: 'Test 100 [1, 2, 3]\n100\n' });
});

test('special floats, limit entry and syntax errors as Python Tutor writes them', async () => {
  const f = await pytutor('a = float("inf")\nb = 2.0\nc = 1/3\n');
  expect(f.trace.at(-1)!.globals).toEqual({ a: ['SPECIAL_FLOAT', 'Infinity'], b: ['SPECIAL_FLOAT', '2.0'], c: 0.3333 });
  const loop = await pytutor('while True:\n    pass\n');
  expect(loop.trace).toHaveLength(1001);
  expect(loop.trace.at(-1)).toEqual({
    event: 'instruction_limit_reached',
    exception_msg:
      'Stopped after running 1000 steps. Please shorten your code,\nsince Python Tutor is not designed to handle long-running code.',
  });
  const syntax = await pytutor('x = (\n');
  expect(syntax.trace).toEqual([
    {
      event: 'uncaught_exception',
      line: 1,
      offset: 5,
      exception_msg: "SyntaxError: '(' was never closed (<string>, line 1)",
    },
  ]);
});

test('byte-identical on every run', async () => {
  expect(await traceJsonInProcess(SEED, { format: 'pytutor' })).toBe(
    await traceJsonInProcess(SEED, { format: 'pytutor' }),
  );
});

// The conformance set ships with the tests (tests/conformance.ts): its absence is a failure, never a skip.
test('conformance set: at least 63 of 65 exact', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'memtrace-pt-'));
  try {
    const names = readdirSync(join(CONFORMANCE, 'programs'))
      .filter((f) => f.endsWith('.py'))
      .map((f) => f.slice(0, -3));
    for (const name of names) {
      const code = readFileSync(join(CONFORMANCE, 'programs', name + '.py'), 'utf8');
      writeFileSync(join(dir, name + '.json'), await traceJsonInProcess(code, { format: 'pytutor' }));
    }
    const r = spawnSync(
      process.execPath,
      [join(CONFORMANCE, 'compare.mjs'), '--ref', join(CONFORMANCE, 'ref314'), '--cand', dir, '--json'],
      {
        encoding: 'utf8',
      },
    );
    const { aggregate } = JSON.parse(r.stdout);
    expect(aggregate.programs).toBe(65);
    expect(aggregate.errors).toBe(0);
    expect(aggregate.exact).toBeGreaterThanOrEqual(63);
    expect(aggregate.exactPerStepIds).toBeGreaterThanOrEqual(64);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('capped like the native format: long containers and output end with a count of the rest', async () => {
  // Uncapped, every step carried all 100,000 items: the sandbox ran out of its 1 GB.
  const code = 'big = list(range(100_000))\nsquares = [x * x for x in range(5000)]\nprint(len(squares))\n';
  const json = await traceJsonInProcess(code, { format: 'pytutor', maxContainerItems: 100 });
  const t = JSON.parse(json) as PytutorTrace;
  expect(t.trace.at(-1)!.event).toBe('instruction_limit_reached');
  const last = t.trace.at(-2)!;
  const big = last.heap![String((last.globals!.big as ['REF', number])[1])]!;
  expect(big).toHaveLength(1 + 100 + 1);
  expect(big.slice(1, 4)).toEqual([0, 1, 2]);
  expect(big.at(-1)).toEqual(['IMPORTED_FAUX_PRIMITIVE', '\u2026 99900 more']);
  // 1000 steps of two 100-item lists: far below what one step of the whole list took.
  expect(json.length).toBeLessThan(3_000_000);

  const dict = await pytutor(
    'd = {i: i for i in range(150)}\nclass A: pass\na = A()\nfor i in range(120):\n    setattr(a, "f%03d" % i, i)\n',
  );
  const end = dict.trace.at(-1)!;
  const d = end.heap![String((end.globals!.d as ['REF', number])[1])]!;
  expect(d).toHaveLength(1 + 100 + 1);
  expect(d.at(-1)).toEqual([
    ['IMPORTED_FAUX_PRIMITIVE', '\u2026 50 more'],
    ['IMPORTED_FAUX_PRIMITIVE', '\u2026'],
  ]);
  const instance = end.heap![String((end.globals!.a as ['REF', number])[1])]!;
  expect(instance.slice(0, 2)).toEqual(['INSTANCE', 'A']);
  expect(instance.at(-1)).toEqual([
    ['IMPORTED_FAUX_PRIMITIVE', '\u2026 20 more'],
    ['IMPORTED_FAUX_PRIMITIVE', '\u2026'],
  ]);

  const printed = await pytutor('for i in range(150):\n    print("x" * 100)\n');
  const cut = printed.trace.at(-1)!.stdout!;
  expect(cut.startsWith('x'.repeat(100) + '\n')).toBe(true);
  expect(cut).toMatch(/\n\[\u2026 (\d+) more characters of output\]$/);
  expect(Number(/(\d+) more characters/.exec(cut)![1]) + 10_000).toBe(150 * 101);
}, 300_000);
