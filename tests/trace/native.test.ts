// The native trace format (format.ts) on real Pyodide: steps, frames, heap, identity, change marks.
import { beforeAll, describe, expect, test } from 'vitest';
import { traceJsonInProcess } from '../../scripts/dev-run.ts';
import type { Step } from '../../plugin/src/trace/format.ts';
import { at, global, local, obj, ref, reprOf, SEED, trace } from './helpers.ts';

beforeAll(async () => {
  await trace('pass');
});

describe('seed example', () => {
  test('steps follow Python Tutor: lines, calls and returns of the program, no class body', async () => {
    const t = await trace(SEED);
    expect(t.format).toBe('memtrace');
    expect(t.python).toMatch(/^3\.14\./);
    expect(t.end).toEqual({ reason: 'completed' });
    expect(t.stdout).toBe('Test 100 [1, 2, 3]\n100\n');
    const events = t.steps.map((s) => `${s.event}:${s.line}`);
    expect(events.slice(0, 9)).toEqual([
      'line:1',
      'line:7',
      'line:10',
      'line:17',
      'call:10',
      'line:11',
      'line:12',
      'line:13',
      'call:7',
    ]);
    expect(events.at(-1)).toBe('return:18');
    // __init__ runs inside function2, inside function1
    const init = t.steps.find((s) => s.event === 'call' && s.line === 2)!;
    expect(init.frames.map((f) => f.name)).toEqual(['<module>', 'function1', 'function2', '__init__']);
    expect(init.frames.map((f) => f.id)).toEqual([0, 1, 2, 3]);
  });

  test('frames, locals in order of appearance, return values and the object they share', async () => {
    const t = await trace(SEED);
    const ret = t.steps.find((s) => s.event === 'return' && s.frames.at(-1)!.name === 'function2')!;
    const f2 = ret.frames.at(-1)!;
    expect(f2.locals.map(([k]) => k)).toEqual(['a', 'x']);
    const inst = obj(ret, f2.returnValue);
    expect(inst).toMatchObject({ kind: 'instance', className: 'MyObject', type: 'MyObject' });
    if (inst.kind !== 'instance') throw new Error();
    expect(inst.attrs.map(([k]) => k)).toEqual(['name', 'value', 'data']);
    expect(reprOf(inst.attrs[0][1])).toBe("'Test'");
    expect(reprOf(inst.attrs[1][1])).toBe('100');
    expect(obj(ret, inst.attrs[2][1])).toMatchObject({
      kind: 'list',
      items: [{ repr: '1' }, { repr: '2' }, { repr: '3' }],
    });

    // the same object is b in function1, then obj in the global frame: one heap id throughout
    const printLine = at(t, 14);
    expect(ref(local(printLine.frames[1], 'b'))).toBe(ref(f2.returnValue));
    const last = t.steps.at(-1)!;
    expect(ref(global(last, 'obj'))).toBe(ref(f2.returnValue));
    expect(printLine.stdout).toBe(0);
    expect(at(t, 15).stdout).toBe('Test 100 [1, 2, 3]\n'.length);
  });

  test('class and function objects', async () => {
    const t = await trace(SEED);
    const s = at(t, 17);
    expect(obj(s, global(s, 'MyObject'))).toMatchObject({ kind: 'class', name: 'MyObject', bases: [] });
    const cls = obj(s, global(s, 'MyObject'));
    if (cls.kind !== 'class') throw new Error();
    expect(cls.attrs.map(([k]) => k)).toEqual(['__init__']);
    expect(obj(s, cls.attrs[0][1])).toMatchObject({
      kind: 'function',
      name: '__init__',
      params: 'self, name, value, data',
    });
    expect(obj(s, global(s, 'function2'))).toEqual({
      kind: 'function',
      type: 'function',
      name: 'function2',
      params: 'a, x',
      inProgram: true,
    });
  });

  test("inProgram: whether a function's code is the program's, for wrapped ones too, not for code exec()'d or a library made", async () => {
    const t = await trace(`from dataclasses import dataclass
@dataclass
class P:
    x: int = 0
    def m(self): pass
    @staticmethod
    def s(): pass
    @property
    def p(self): return 1
    c = classmethod(dataclass)
ns = {}
exec('def g(): pass', ns)
g = ns['g']
k = lambda: 0
print(P())`);
    const s = t.steps.at(-1)!;
    const cls = obj(s, global(s, 'P'));
    if (cls.kind !== 'class') throw new Error();
    const flag = (v: Parameters<typeof obj>[1]) => (obj(s, v) as { inProgram?: boolean }).inProgram;
    const members = Object.fromEntries(cls.attrs.filter(([, v]) => 'ref' in v).map(([k, v]) => [k, flag(v)]));
    expect(members).toMatchObject({
      m: true,
      s: true,
      p: true,
      c: false,
      __init__: false,
      __repr__: false,
      __eq__: false,
    });
    expect([flag(global(s, 'k')), flag(global(s, 'g')), flag(global(s, 'dataclass'))]).toEqual([true, false, false]);
  });

  test('byte-identical JSON on every run, heap keys ascending, ids numbered by discovery', async () => {
    const a = await traceJsonInProcess(SEED);
    const b = await traceJsonInProcess(SEED);
    expect(a).toBe(b);
    const t = JSON.parse(a);
    let next = 1;
    for (const s of t.steps as Step[]) {
      const keys = Object.keys(s.heap).map(Number);
      expect(keys).toEqual([...keys].sort((x, y) => x - y));
      for (const k of keys) if (k >= next) next = k + 1;
    }
    // ids are dense: every id up to the largest appears somewhere
    const seen = new Set<number>(t.steps.flatMap((s: Step) => Object.keys(s.heap).map(Number)));
    expect([...seen].sort((x, y) => x - y)).toEqual(Array.from({ length: next - 1 }, (_, i) => i + 1));
  });
});

describe('values', () => {
  test('primitives are inline with Python reprs; big ints exact; long strings cut', async () => {
    const t = await trace(
      'a = 2 ** 200\nb = 0.1 + 0.2\nc = 1 + 2j\nd = b"\\x00ab"\ne = True\nf = None\ng = "x" * 1500\nh = float("-inf")\nz = 0',
    );
    const s = t.steps.at(-1)!;
    expect(global(s, 'a')).toEqual({ type: 'int', repr: String(2n ** 200n) });
    expect(global(s, 'b')).toEqual({ type: 'float', repr: '0.30000000000000004' });
    expect(global(s, 'c')).toEqual({ type: 'complex', repr: '(1+2j)' });
    expect(global(s, 'd')).toEqual({ type: 'bytes', repr: "b'\\x00ab'" });
    expect(global(s, 'e')).toEqual({ type: 'bool', repr: 'True' });
    expect(global(s, 'f')).toEqual({ type: 'NoneType', repr: 'None' });
    expect(global(s, 'g')).toEqual({ type: 'str', repr: `'${'x'.repeat(1000)}'`, fullLength: 1500 });
    expect(global(s, 'h')).toEqual({ type: 'float', repr: '-inf' });
  });

  test('containers, sets in Python order, container cap', async () => {
    const t = await trace(
      't = (1, [2])\ns = {3, 1, 2}\nfs = frozenset([5])\nd = {"k": t}\nbig = list(range(7))\nz = 0',
      {
        maxContainerItems: 5,
      },
    );
    const s = t.steps.at(-1)!;
    const tup = obj(s, global(s, 't'));
    expect(tup).toMatchObject({ kind: 'tuple', type: 'tuple' });
    if (tup.kind !== 'tuple') throw new Error();
    expect(obj(s, tup.items[1])).toMatchObject({ kind: 'list', items: [{ repr: '2' }] });
    expect(obj(s, global(s, 's'))).toMatchObject({ kind: 'set', items: [{ repr: '1' }, { repr: '2' }, { repr: '3' }] });
    expect(obj(s, global(s, 'fs'))).toMatchObject({ kind: 'frozenset', items: [{ repr: '5' }] });
    const d = obj(s, global(s, 'd'));
    if (d.kind !== 'dict') throw new Error();
    expect(d.entries[0][0]).toEqual({ type: 'str', repr: "'k'" });
    expect(ref(d.entries[0][1])).toBe(ref(global(s, 't')));
    expect(obj(s, global(s, 'big'))).toMatchObject({ kind: 'list', more: 2 });
    expect((obj(s, global(s, 'big')) as { items: unknown[] }).items).toHaveLength(5);
  });

  test('modules, generators with their suspended frame, other objects without addresses', async () => {
    const t = await trace(
      'import math\ndef gen():\n    a = 1\n    yield a\n    yield 2\ng = gen()\nnext(g)\no = object()\nr = range(3)\nz = 0',
    );
    const created = at(t, 7);
    expect(obj(created, global(created, 'g'))).toMatchObject({ kind: 'generator', name: 'gen', state: 'created' });
    const s = t.steps.at(-1)!;
    expect(obj(s, global(s, 'math'))).toEqual({ kind: 'module', type: 'module', name: 'math' });
    expect(obj(s, global(s, 'g'))).toEqual({
      kind: 'generator',
      type: 'generator',
      name: 'gen',
      state: 'suspended',
      frame: { line: 4, locals: [['a', { type: 'int', repr: '1' }]] },
    });
    expect(obj(s, global(s, 'o'))).toEqual({ kind: 'other', type: 'object', repr: '<object object>' });
    expect(obj(s, global(s, 'r'))).toEqual({ kind: 'other', type: 'range', repr: 'range(0, 3)' });
    expect(JSON.stringify(t)).not.toMatch(/0x[0-9a-f]{4,}/);
  });

  test('a generator keeps one frame id across resumptions', async () => {
    const t = await trace('def gen():\n    yield 1\n    yield 2\ng = gen()\nnext(g)\nnext(g)\n');
    const ids = t.steps.filter((s) => s.frames.length > 1).map((s) => s.frames[1].id);
    expect(new Set(ids)).toEqual(new Set([1]));
    expect(t.steps.filter((s) => s.event === 'call')).toHaveLength(2);
  });
});

describe('identity and liveness', () => {
  test('a new object never takes the heap id of a dead one, even when id() is reused', async () => {
    // No step (and no call) between the death of the first set and the birth of the second, on line 3. Whether the
    // second lands at the first's address depends on the allocator's state, which the tracer's own work moves, so the
    // program tries until it does (and says so in `same`). The program's id() gives per-run numbers that a dead
    // weakly referenceable object never passes on, so the real address is read from object.__repr__, which keeps it.
    const t = await trace(
      'for i in range(50):\n    c = {1}\n    old = object.__repr__(c); del c; c = {2}; same = object.__repr__(c) == old\n' +
        '    if same:\n        break\nz = 0\n',
    );
    const after = at(t, 6);
    expect(global(after, 'same')).toEqual({ type: 'bool', repr: 'True' });
    const last = t.steps.findLast((s) => s.line === 3)!;
    const next = t.steps[t.steps.indexOf(last) + 1]!;
    expect(ref(global(next, 'c'))).not.toBe(ref(global(last, 'c')));
    expect(next.freed).toEqual([ref(global(last, 'c'))]);
  });

  test('freed: an object that became unreachable and died is listed once, at the step it went away', async () => {
    const t = await trace('w = [3]\nk = w\nw = None\nk = None\nz = 1\n');
    const id = ref(global(at(t, 2), 'w'));
    expect(at(t, 4).freed).toBeUndefined();
    expect(at(t, 5).freed).toEqual([id]);
    expect(t.steps.filter((s) => s.freed?.includes(id))).toHaveLength(1);
  });

  test('cycleOnly: a self-referencing list after del stays alive until gc.collect() frees it', async () => {
    const t = await trace('import gc\nx = [1]\nx.append(x)\ny = x\ndel x\ndel y\nn = gc.collect()\nz = 0\n');
    const id = ref(global(at(t, 4), 'x'));
    expect(at(t, 6).cycleOnly).toBeUndefined();
    const after = at(t, 7);
    expect(after.cycleOnly).toEqual([id]);
    expect(after.heap[String(id)]).toMatchObject({ kind: 'list', items: [{ repr: '1' }, { ref: id }] });
    expect(after.freed).toBeUndefined();
    const collected = at(t, 8);
    expect(collected.freed).toEqual([id]);
    expect(collected.heap[String(id)]).toBeUndefined();
    expect(Number(reprOf(global(collected, 'n')))).toBeGreaterThanOrEqual(1);
  });

  test('an instance cycle with __del__: the finalizer runs (traced) on the same heap id, then it is freed', async () => {
    const t = await trace(
      'import gc\nclass Node:\n    def __del__(self):\n        print("bye")\na = Node()\na.me = a\ndel a\ngc.collect()\nz = 0\n',
    );
    const id = ref(global(at(t, 6), 'a'));
    expect(at(t, 8).cycleOnly).toEqual([id]);
    const del = t.steps.find((s) => s.event === 'call' && s.frames.at(-1)!.name === '__del__')!;
    expect(ref(local(del.frames.at(-1)!, 'self'))).toBe(id);
    expect(at(t, 9).freed).toEqual([id]);
    expect(t.stdout).toBe('bye\n');
  });

  test('changed: new or rebound variables and new or mutated objects', async () => {
    const t = await trace('a = [1]\nb = a\na.append(2)\nb = 5\nz = 0\n');
    const id = ref(global(at(t, 2), 'a'));
    expect(at(t, 2).changed).toEqual({ vars: ['0:a'], objects: [id] });
    expect(at(t, 3).changed).toEqual({ vars: ['0:b'], objects: [] });
    expect(at(t, 4).changed).toEqual({ vars: [], objects: [id] });
    expect(at(t, 5).changed).toEqual({ vars: ['0:b'], objects: [] });
  });
});

describe('frames', () => {
  test('closures: the exited frame is kept with its captured variables, and nonlocal updates show', async () => {
    const t = await trace(
      'def make_counter():\n    count = 0\n    def inc():\n        nonlocal count\n        count += 1\n        return count\n    return inc\nc = make_counter()\nc()\nc()\nz = 0\n',
    );
    const s = at(t, 9);
    const exited = s.frames.find((f) => f.exited)!;
    expect(exited).toMatchObject({
      id: 1,
      name: 'make_counter',
      exited: true,
      locals: [['count', { type: 'int', repr: '0' }]],
    });
    expect(obj(s, global(s, 'c'))).toMatchObject({ kind: 'function', name: 'inc', parentFrame: 1 });
    const call = at(t, 3, 'call');
    expect(call.frames.map((f) => [f.name, f.parent, f.exited ?? false])).toEqual([
      ['<module>', undefined, false],
      ['inc', 1, false],
      ['make_counter', undefined, true],
    ]);
    expect(call.frames[1].locals).toEqual([]); // count belongs to make_counter's frame
    expect(local(at(t, 11).frames.find((f) => f.exited)!, 'count')).toEqual({ type: 'int', repr: '2' });
    // frame ids are never reused: make_counter 1, then each call of inc
    const running = (s: Step) => s.frames.filter((f) => !f.exited).at(-1)!;
    expect(t.steps.filter((s) => s.event === 'call').map((s) => running(s).id)).toEqual([1, 2, 3]);
  });

  test('a frame whose closures have all died is not kept', async () => {
    const t = await trace('def f():\n    x = 1\n    return lambda: x\ng = f()\ng = None\nz = 0\n');
    expect(at(t, 5).frames.some((f) => f.exited)).toBe(true);
    expect(at(t, 6).frames.some((f) => f.exited)).toBe(false);
  });

  test('exceptions: caught ones are steps; an uncaught one ends the trace on an uncaught step', async () => {
    const t = await trace('try:\n    1 / 0\nexcept ZeroDivisionError:\n    pass\ndef g(x):\n    return x[5]\ng([1])\n');
    expect(at(t, 2, 'exception').exception).toEqual({ type: 'ZeroDivisionError', message: 'division by zero' });
    const last = t.steps.at(-1)!;
    expect(last.event).toBe('uncaught');
    expect(last.line).toBe(7);
    expect(last.frames).toHaveLength(1);
    expect(last.exception).toEqual({ type: 'IndexError', message: 'list index out of range' });
    expect(t.end).toEqual({ reason: 'exception', message: 'IndexError: list index out of range' });
    expect(t.steps.filter((s) => s.event === 'exception').map((s) => s.line)).toEqual([2, 6, 7].slice(0, 2));
  });

  test('output: print(end="") is kept and steps hold offsets into Trace.stdout', async () => {
    const t = await trace('print("a", end="")\nprint("b", end="")\nimport sys\nsys.stderr.write("c")\n');
    expect(t.stdout).toBe('abc');
    expect(t.steps.map((s) => s.stdout)).toEqual([0, 1, 2, 2, 3]);
  });
});

describe('what is traced', () => {
  test('code exec()ed in the program globals (by the program or by dataclasses) is not stepped into', async () => {
    const t = await trace(
      'from dataclasses import dataclass\n@dataclass\nclass D:\n    a: int\nexec("def h():\\n    return 5\\n")\nd = D(h())\n',
    );
    expect(t.end.reason).toBe('completed');
    // only the program's own lines, all in the global frame (no __annotate__, __create_fn__ or h frames)
    expect(new Set(t.steps.map((s) => s.line))).toEqual(new Set([1, 2, 3, 5, 6]));
    expect(t.steps.every((s) => s.frames.length === 1)).toBe(true);
    const last = t.steps.at(-1)!;
    expect(obj(last, global(last, 'd'))).toMatchObject({
      kind: 'instance',
      className: 'D',
      attrs: [['a', { repr: '5' }]],
    });
    const cls = obj(last, global(last, 'D'));
    if (cls.kind !== 'class') throw new Error();
    expect(cls.attrs.map(([k]) => k)).toEqual(['__init__', '__repr__', '__eq__']);
  });

  test('an object held only outside the frames (a default argument) is neither freed nor cycleOnly', async () => {
    const t = await trace('def f(acc=[]):\n    acc.append(1)\n    return acc\na = f()\ndel a\nz = 0\n');
    const id = ref(global(at(t, 5), 'a'));
    for (const s of [at(t, 6), t.steps.at(-1)!]) {
      expect(s.freed ?? []).not.toContain(id);
      expect(s.cycleOnly ?? []).not.toContain(id);
      expect(s.heap[String(id)]).toBeUndefined();
    }
  });

  test('library classes are drawn by name, not by their insides; enum classes show their members', async () => {
    const t = await trace(
      'from collections import deque\nimport enum\nclass Color(enum.Enum):\n    RED = 1\n    BLUE = 2\nc = Color.RED\nz = 0\n',
    );
    const s = t.steps.at(-1)!;
    expect(obj(s, global(s, 'deque'))).toEqual({ kind: 'other', type: 'type', repr: "<class 'collections.deque'>" });
    const color = obj(s, global(s, 'Color'));
    if (color.kind !== 'class') throw new Error();
    expect(color.attrs.map(([k]) => k)).toEqual(['RED', 'BLUE']);
    expect(obj(s, global(s, 'c'))).toEqual({ kind: 'other', type: 'Color', repr: '<Color.RED: 1>' });
  });
});
