// Limits, errors and input/output handling inside the tracer (the runtime adds the hard kill on top).
import { beforeAll, describe, expect, test } from 'vitest';
import { TRACE_DEFAULTS } from '../../plugin/src/defaults.ts';
import { isTraceFailure } from '../../plugin/src/trace/format.ts';
import { traceInProcess, traceWithRawOptions } from '../../scripts/dev-run.ts';
import { global, reprOf, trace } from './helpers.ts';

beforeAll(async () => {
  await trace('pass');
});

describe('limits', () => {
  test('step cap: every step before it is kept', async () => {
    const t = await trace('n = 0\nwhile True:\n    n += 1\n', { maxSteps: 50 });
    expect(t.end.reason).toBe('step-limit');
    expect(t.steps).toHaveLength(50);
    expect(t.steps.map((s) => s.line).slice(0, 4)).toEqual([1, 2, 3, 2]);
  });

  test('a program with exactly maxSteps steps completes', async () => {
    const t = await trace('a = 1\nb = 2\n', { maxSteps: 3 });
    expect(t.end.reason).toBe('completed');
    expect(t.steps).toHaveLength(3);
  });

  test('deadline: a program that catches BaseException (and KeyboardInterrupt) is still stopped', async () => {
    const code = `n = 0
while True:
    try:
        while True:
            n += 1
    except BaseException:
        try:
            pass
        finally:
            continue
`;
    const t0 = performance.now();
    const t = await trace(code, { timeoutMs: 300, maxSteps: 1e9 });
    const ms = performance.now() - t0;
    expect(t.end.reason).toBe('timeout');
    expect(t.steps.length).toBeGreaterThan(10);
    expect(ms).toBeLessThan(300 + 3000);
    // the interpreter is fine afterwards
    expect((await trace('x = 1')).end.reason).toBe('completed');
  });

  test('output cap: the first maxOutputChars characters are kept, the rest counted', async () => {
    const t = await trace('for i in range(3):\n    print("x" * 8)\n', { maxOutputChars: 20 });
    expect(t.stdout).toBe('xxxxxxxx\nxxxxxxxx\nxx');
    expect(t.stdoutTruncated).toBe(7);
    expect(Math.max(...t.steps.map((s) => s.stdout))).toBe(20);
  });

  test('deep recursion stays within the step cap, with a frame cap', async () => {
    const t = await trace('def f(n):\n    return f(n + 1)\nf(0)\n');
    expect(t.end.reason).toBe('step-limit');
    expect(t.steps).toHaveLength(1000);
    const last = t.steps.at(-1)!;
    expect(last.frames).toHaveLength(1 + 40);
    expect(last.omittedFrames).toEqual({ after: 10, count: 499 - 40 });
    expect(last.frames.map((f) => f.id).slice(0, 12)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 470]);
  });

  test('RecursionError comes at the same depth as without tracing, as an ordinary exception', async () => {
    // Without tracing, in Pyodide, the deepest frame sits exactly at the limit (no hidden C levels below it).
    const code = `import sys
sys.setrecursionlimit(50)
def f(n):
    return f(n + 1)
def depth(tb):
    while tb.tb_next:
        tb = tb.tb_next
    fr, n = tb.tb_frame, 0
    while fr:
        n += 1
        fr = fr.f_back
    return n
try:
    f(0)
except RecursionError as e:
    print(depth(e.__traceback__), sys.getrecursionlimit(), e)
f(0)
`;
    // A generous wall-clock limit: this checks depth, not speed, and a loaded machine must not turn it into a timeout.
    const t = await trace(code, { maxSteps: 100000, timeoutMs: 120_000 });
    expect(t.stdout).toBe('50 50 maximum recursion depth exceeded\n');
    expect(t.end).toEqual({ reason: 'exception', message: 'RecursionError: maximum recursion depth exceeded' });
    expect(t.steps.at(-1)!.event).toBe('uncaught');
  });

  test('MemoryError ends the trace with reason memory', async () => {
    const t = await trace('a = 1\nx = [0] * (2 ** 29)\n');
    expect(t.end.reason).toBe('memory');
    expect(t.steps.length).toBeGreaterThanOrEqual(2);
  });
});

describe('errors and I/O', () => {
  test('syntax error: a failure with 1-based line and column in the program', async () => {
    const r = await traceInProcess('x = 1\nif x\n    pass\n');
    expect(r).toEqual({ kind: 'syntax', message: "SyntaxError: expected ':'", line: 2, column: 5 });
  });

  test('the tracer has no limits of its own: options without one are refused, naming it', async () => {
    const r = JSON.parse(
      await traceWithRawOptions('x = 1', JSON.stringify({ ...TRACE_DEFAULTS, maxFrames: undefined })),
    );
    expect(r).toEqual({ failure: { kind: 'options', message: expect.stringMatching(/^maxFrames is required/) } });
    const all = JSON.parse(await traceWithRawOptions('x = 1', JSON.stringify(TRACE_DEFAULTS)));
    expect(all.end).toEqual({ reason: 'completed' });
  });

  test('bad options are a failure, not an exception', async () => {
    const r = await traceInProcess('x = 1', { maxSteps: -1 });
    expect(isTraceFailure(r) && r.kind).toBe('options');
  });

  test('a package outside the standard library: ModuleNotFoundError in the trace, saying so', async () => {
    const t = await trace('import numpy\n');
    expect(t.end.reason).toBe('exception');
    const last = t.steps.at(-1)!;
    expect(last.exception!.type).toBe('ModuleNotFoundError');
    expect(last.exception!.message).toMatch(/^No module named 'numpy': only the Python standard library is available/);
    // the standard library itself imports fine, and so does a failing import inside it
    expect((await trace('import json, fractions\nx = fractions.Fraction(1, 3)\n')).end.reason).toBe('completed');
  });

  test('input() reads options.stdin line by line and echoes it; without stdin, a clear EOFError', async () => {
    const t = await trace('name = input("name? ")\nage = input()\nprint(name, age)\n', { stdin: 'Ada\n36\n' });
    expect(t.stdout).toBe('name? Ada\n36\nAda 36\n');
    expect(reprOf(global(t.steps.at(-1)!, 'age'))).toBe("'36'");
    const n = await trace('x = input()\n');
    expect(n.steps.at(-1)!.exception).toEqual({
      type: 'EOFError',
      message: expect.stringMatching(/^input\(\) has no data: .*pass the text it should read as stdin/),
    });
    const eof = await trace('a = input()\nb = input()\n', { stdin: 'one' });
    expect(eof.steps.at(-1)!.exception!.type).toBe('EOFError');
    expect((await trace('import sys\nprint(sys.stdin.read().split())\n', { stdin: 'a b\nc' })).stdout).toBe(
      "['a', 'b', 'c']\n",
    );
  });

  test('sys.exit() ends the trace normally with reason exit, and no exception steps', async () => {
    const t = await trace('import sys\nprint("bye")\nsys.exit(3)\nprint("never")\n');
    expect(t.end).toEqual({ reason: 'exit', message: '3' });
    expect(t.stdout).toBe('bye\n');
    expect(t.steps.some((s) => s.event === 'exception' || s.event === 'uncaught')).toBe(false);
    expect((await trace('raise SystemExit\n')).end).toEqual({ reason: 'exit' });
  });
});

test('asyncio.run works, on a virtual clock, and leaves nothing running after the trace', async () => {
  const code = `import asyncio
async def work(n):
    await asyncio.sleep(10)
    return n * 2
async def main():
    results = await asyncio.gather(work(1), work(2))
    return results, asyncio.get_running_loop().time()
print(asyncio.run(main()))
`;
  const t0 = performance.now();
  const t = await trace(code);
  // Real sleeps would take 10 s: finishing sooner shows the clock is virtual.
  expect(performance.now() - t0).toBeLessThan(9500);
  expect(t.end.reason).toBe('completed');
  expect(t.stdout).toBe('([2, 4], 10.0)\n');
  expect(t.steps.some((s) => s.frames.some((f) => f.name === 'work'))).toBe(true);
  expect(t.steps.some((s) => s.event === 'exception')).toBe(false);
  expect((await trace('x = 1\n')).stdout).toBe('');
});
