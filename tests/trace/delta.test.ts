// The tracer's delta (native.py, "Delta") and its expansion into the documented Trace (trace/delta.ts).
import { describe, expect, test } from 'vitest';
import { TRACE_DEFAULTS } from '../../plugin/src/defaults.ts';
import { expandTrace, type DeltaTrace } from '../../plugin/src/trace/delta.ts';
import type { Frame, HeapObject } from '../../plugin/src/trace/format.ts';
import { traceWithRawOptions } from '../../scripts/dev-run.ts';
import { global, ref, trace } from './helpers.ts';

const int = (n: number) => ({ type: 'int' as const, repr: String(n) });
const list = (...items: number[]): HeapObject => ({ kind: 'list', type: 'list', items: items.map(int) });
const frame = (id: number, line: number, locals: Frame['locals']): Frame => ({ id, name: 'f', locals, line });

/** A delta written by hand from native.py's description of it. */
function handMade(): DeltaTrace {
  const g1 = frame(0, 1, [['a', { ref: 1 }]]);
  const g2 = frame(0, 2, [
    ['a', { ref: 1 }],
    ['b', { ref: 2 }],
  ]);
  const g3 = frame(0, 3, [['b', { ref: 2 }]]);
  return {
    format: 'memtrace',
    version: 2,
    python: '3.14.2',
    code: 'a = [1]\nb = [2]\ndel a\n',
    delta: [
      { line: 1, event: 'line', frames: [g1], heap: { 1: list(1) }, stdout: 0 },
      { line: 2, event: 'line', frames: [g2], heap: { 2: list(2) }, stdout: 0 },
      { line: 2, event: 'line', frames: [0], heap: { 1: list(1, 5) }, stdout: 0 },
      { line: 3, event: 'line', frames: [g3], heap: {}, stdout: 0, drop: [1], freed: [1] },
    ],
    stdout: '',
    end: { reason: 'completed' },
  };
}

describe('expandTrace', () => {
  test('frames by id, heap changes, dropped ids and what changed, in the full format', () => {
    const t = expandTrace(handMade());
    expect(t.steps.map((s) => Object.keys(s.heap))).toEqual([['1'], ['1', '2'], ['1', '2'], ['2']]);
    expect(t.steps[2]!.frames[0]).toBe(t.steps[1]!.frames[0]);
    expect(t.steps[2]!.heap['1']).toEqual(list(1, 5));
    expect(t.steps[3]!.heap['2']).toBe(t.steps[1]!.heap['2']);
    expect(t.steps.map((s) => s.changed)).toEqual([
      { vars: ['0:a'], objects: [1] },
      { vars: ['0:b'], objects: [2] },
      { vars: [], objects: [1] },
      { vars: [], objects: [] },
    ]);
    expect(t.steps[3]!.freed).toEqual([1]);
    expect(Object.keys(t)).toEqual(['format', 'version', 'python', 'code', 'steps', 'stdout', 'end']);
    expect(Object.keys(t.steps[3]!)).toEqual(['line', 'event', 'frames', 'heap', 'stdout', 'changed', 'freed']);
  });

  test('a step before keeps its own heap when a later one drops or changes an object', () => {
    const t = expandTrace(handMade());
    expect(Object.keys(t.steps[2]!.heap)).toEqual(['1', '2']);
    expect(t.steps[1]!.heap['1']).toEqual(list(1));
  });
});

test("a frame given as [id, line] is the step before's at that line", () => {
  const g = frame(0, 1, [['a', int(1)]]);
  const t = expandTrace({
    ...handMade(),
    delta: [
      { line: 1, event: 'line', frames: [g], heap: {}, stdout: 0 },
      { line: 2, event: 'line', frames: [[0, 2]], heap: {}, stdout: 0 },
    ],
  });
  expect(t.steps[1]!.frames).toEqual([{ ...g, line: 2 }]);
  expect(Object.keys(t.steps[1]!.frames[0]!)).toEqual(['id', 'name', 'locals', 'line']);
  expect(t.steps[1]!.changed).toEqual({ vars: [], objects: [] });
});

describe('the tracer writes a delta', () => {
  const LOOP = 'xs = [-1] * 30\nd = {"k": xs}\nfor i in range(200):\n    xs[i % 30] = i\n';

  test('a loop writes only the object its line changed, and the runtime gets every step in full', async () => {
    const raw = JSON.parse(await traceWithRawOptions(LOOP, JSON.stringify(TRACE_DEFAULTS))) as DeltaTrace;
    expect(raw).not.toHaveProperty('steps');
    const full = await trace(LOOP);
    expect(raw.delta).toHaveLength(full.steps.length);
    const xs = ref(global(full.steps.at(-1)!, 'xs'));
    const d = ref(global(full.steps.at(-1)!, 'd'));
    for (const [k, s] of full.steps.entries()) {
      if (k < 4) continue;
      // Every step shows the list and the dict; the delta writes the list only after a line that stored into it.
      expect(Object.keys(s.heap).map(Number)).toEqual([xs, d]);
      const stored = full.steps[k - 1]!.line === 4;
      expect(Object.keys(raw.delta[k]!.heap).map(Number)).toEqual(stored ? [xs] : []);
    }
    // The dict, unchanged after the first steps, is written once; the list every other step.
    expect(JSON.stringify(raw).length).toBeLessThan(JSON.stringify(full).length * 0.6);
  });

  test('a frame that waits for a call is written by its id', async () => {
    const code = 'def f(n):\n    a = n\n    b = a + 1\n    return b\nx = f(1)\n';
    const raw = JSON.parse(await traceWithRawOptions(code, JSON.stringify(TRACE_DEFAULTS))) as DeltaTrace;
    const inside = raw.delta.filter((s) => s.frames.length === 2);
    expect(inside.length).toBeGreaterThan(2);
    // Entering f changes the global frame's line; after that it waits, the same at every step.
    expect(inside.slice(1).map((s) => s.frames[0])).toEqual(inside.slice(1).map(() => 0));
  });

  test('a frame that only moved to another line is written as [id, line]', async () => {
    const code = 'x = 1\nif x:\n    pass\ny = 2\n';
    const raw = JSON.parse(await traceWithRawOptions(code, JSON.stringify(TRACE_DEFAULTS))) as DeltaTrace;
    expect(raw.delta.map((s) => s.line)).toEqual([1, 2, 3, 4, 4]);
    // Line 2 shows x for the first time; lines 3 and 4 change nothing but the line; the return step after y = 2 does.
    expect(raw.delta.slice(2, 4).map((s) => s.frames)).toEqual([[[0, 3]], [[0, 4]]]);
  });
});
