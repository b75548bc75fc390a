// One interpreter, many runs: nothing a program does may show in the next run.
import { beforeAll, expect, test } from 'vitest';
import { trace } from './helpers.ts';

beforeAll(async () => {
  await trace('pass');
});

test('a fresh __main__ namespace every run', async () => {
  expect((await trace('leak = 42\nimport __main__\nprint(__name__, __main__.leak)\n')).stdout).toBe('__main__ 42\n');
  const t = await trace('print(leak)\n');
  expect(t.steps.at(-1)!.exception).toEqual({ type: 'NameError', message: "name 'leak' is not defined" });
});

test('patched builtins, sys.modules, sys.path, module attributes, streams and limits are undone', async () => {
  const vandal = `import builtins, sys, math, json, os
builtins.print = lambda *a, **k: None
builtins.len = None
builtins.extra = 1
sys.modules['fake_module'] = sys
sys.path.append('/nowhere')
math.pi = 3
json.dumps = None
os.environ['MEMTRACE_TEST'] = 'x'
sys.setrecursionlimit(200)
sys.stdout = None
`;
  const v = await trace(vandal);
  expect(v.end.reason).toBe('completed');
  const check = `import sys, math, json, os, builtins
print(len([1, 2]), hasattr(builtins, 'extra'), 'fake_module' in sys.modules, '/nowhere' in sys.path)
print(math.pi, json.dumps([1]), os.environ.get('MEMTRACE_TEST'), sys.getrecursionlimit())
`;
  const t = await trace(check);
  expect(t.stdout).toBe('2 False False False\n3.141592653589793 [1] None 1000\n');
});

test('random is seeded before each program', async () => {
  const code = 'import random\nprint(random.random(), random.randint(1, 100))\n';
  const a = await trace(code);
  await trace('import random\nrandom.random()\nrandom.seed(123)\n');
  const b = await trace(code);
  expect(a.stdout).toBe(b.stdout);
  expect(a.stdout).toMatch(/^0\.8444218515250481 \d+\n$/);
});

test('modules imported by a program are imported afresh by the next one', async () => {
  await trace('import fractions\nfractions.Fraction.touched = True\n');
  const t = await trace('import fractions\nprint(hasattr(fractions.Fraction, "touched"))\n');
  expect(t.stdout).toBe('False\n');
});

test('garbage left by one program is not finalized inside the next one; automatic gc does not run', async () => {
  const first = await trace(
    'import gc\nclass N:\n    def __del__(self):\n        print("late")\na = N()\na.me = a\ndel a\nprint(gc.isenabled())\n',
  );
  expect(first.stdout).toBe('True\n');
  expect(first.steps.at(-1)!.cycleOnly).toHaveLength(1);
  const second = await trace('import gc\ngc.collect()\nprint("second")\n');
  expect(second.stdout).toBe('second\n');
});
