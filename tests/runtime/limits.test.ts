/**
 * Runaway programs against the real sandbox: each kind is stopped within its timeout plus the grace period, ends
 * with a timeout or memory result (never a hung build), and the next program still runs normally.
 */
import { afterAll, describe, expect, test } from 'vitest';
import type { Trace, TraceFailure, TraceOptions } from '../../plugin/src/trace/format.ts';
import { isTraceFailure, TraceRuntime } from '../../plugin/src/trace/runtime.ts';
import { asTrace, printed } from './helpers.ts';

const TIMEOUT_MS = 1000;
const GRACE_MS = 1500;
const runtime = new TraceRuntime({ graceMs: GRACE_MS, memoryLimitMb: 256, rssLimitMb: 900 });
afterAll(() => runtime.close());

/** Traces after the child is up, so that the time measured is the program's alone. */
async function timed(code: string, options: TraceOptions = {}): Promise<{ result: Trace | TraceFailure; ms: number }> {
  await runtime.start();
  const started = performance.now();
  const result = await runtime.trace(code, { timeoutMs: TIMEOUT_MS, ...options });
  const ms = Math.round(performance.now() - started);
  console.log(`stopped in ${ms} ms: ${code.split('\n').join(' | ').slice(0, 70)}`);
  return { result, ms };
}

const timedOut = (result: Trace | TraceFailure): boolean =>
  isTraceFailure(result) ? result.kind === 'timeout' : result.end.reason === 'timeout';

async function stillWorks(): Promise<void> {
  expect(printed(await runtime.trace('print(sum(range(10)))'))).toBe('45\n');
}

describe('time', () => {
  test('a Python loop is stopped by the tracer, which keeps the steps so far', async () => {
    // A step cap high enough that the clock, not the cap, ends it.
    const { result, ms } = await timed('n = 0\nwhile True:\n    n += 1\n', { maxSteps: 10_000_000 });
    const trace = asTrace(result);
    expect(trace.end.reason).toBe('timeout');
    expect(trace.steps.length).toBeGreaterThan(10);
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(ms).toBeLessThan(TIMEOUT_MS + GRACE_MS);
    await stillWorks();
  });

  test('one long C call is stopped from outside, and a fresh child takes the next block', async () => {
    const kills = runtime.stats.kills;
    const { result, ms } = await timed('sum(range(10**12))');
    expect(result).toMatchObject({ kind: 'timeout' });
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS + GRACE_MS - 50);
    expect(ms).toBeLessThan(TIMEOUT_MS + GRACE_MS + 1000);
    expect(runtime.stats.kills).toBe(kills + 1);
    await stillWorks();
  });

  test('an answer that arrived while this thread was busy past the deadline is kept, not called a timeout', async () => {
    await runtime.start();
    const kills = runtime.stats.kills;
    const answer = runtime.trace('print(6 * 7)', { timeoutMs: TIMEOUT_MS });
    // Block the event loop (as a long synchronous render does) until the deadline has passed; the child's answer
    // comes back long before, and waits in the pipe.
    await new Promise<void>((done) =>
      setImmediate(() => {
        const until = performance.now() + TIMEOUT_MS + GRACE_MS + 500;
        while (performance.now() < until);
        done();
      }),
    );
    expect(printed(await answer)).toBe('42\n');
    expect(runtime.stats.kills).toBe(kills);
  });

  test('an answer of several MB that arrived while this thread was busy past the deadline is kept whole', async () => {
    await runtime.start();
    const kills = runtime.stats.kills;
    // 300 steps of a dict of 20 lists: a trace of a few MB, far more than one read of the pipe takes in.
    const code = 'd = {}\nk = 0\nwhile k < 150:\n    d[k % 20] = [k] * 3\n    k += 1\n';
    const answer = runtime.trace(code, { timeoutMs: TIMEOUT_MS });
    await new Promise<void>((done) =>
      setImmediate(() => {
        const until = performance.now() + TIMEOUT_MS + GRACE_MS + 500;
        while (performance.now() < until);
        done();
      }),
    );
    const trace = asTrace(await answer);
    expect(JSON.stringify(trace).length).toBeGreaterThan(1_000_000);
    expect(trace.end.reason).not.toBe('timeout');
    expect(runtime.stats.kills).toBe(kills);
  });

  test('a program that swallows every exception in a loop is still stopped', async () => {
    const { result, ms } = await timed(
      'while True:\n    try:\n        while True:\n            sum(range(3000))\n    except BaseException:\n        pass\n',
      { maxSteps: 1_000_000 },
    );
    expect(timedOut(result), JSON.stringify(isTraceFailure(result) ? result : result.end)).toBe(true);
    expect(ms).toBeLessThan(TIMEOUT_MS + GRACE_MS + 1000);
    await stillWorks();
  });

  test('time.sleep past the deadline is stopped', async () => {
    const { result, ms } = await timed('import time\ntime.sleep(60)\n');
    expect(timedOut(result)).toBe(true);
    expect(ms).toBeLessThan(TIMEOUT_MS + GRACE_MS + 1000);
    await stillWorks();
  });

  test('a JS busy loop reached from Python is stopped too', async () => {
    const { result, ms } = await timed(
      'import importlib\njs = importlib.import_module("js")\njs.process.getBuiltinModule("vm").runInThisContext("for (;;) {}")\n',
    );
    expect(result).toMatchObject({ kind: 'timeout' });
    expect(ms).toBeLessThan(TIMEOUT_MS + GRACE_MS + 1000);
    await stillWorks();
  });

  test('a JS timer left behind to hog the child cannot stall the next block forever', async () => {
    await runtime.trace(
      'import importlib\njs = importlib.import_module("js")\njs.setTimeout(js.process.getBuiltinModule("vm").runInThisContext("() => { for (;;) {} }"), 0)\n',
    );
    const { result } = await timed('print("next")');
    // The stalled child is killed and this block reported as timed out; the one after it runs.
    expect(timedOut(result) || printed(result) === 'next\n').toBe(true);
    await stillWorks();
  });
});

describe('memory', () => {
  // These end on memory, not on time: the clock is only a ceiling, generous for a loaded machine.
  const MEMORY_TIME = { timeoutMs: 30_000 };

  test('appending megabyte strings forever ends the trace with a memory error', async () => {
    const { result } = await timed("x = []\nwhile True:\n    x.append('a' * 10**6)\n", MEMORY_TIME);
    if (isTraceFailure(result)) {
      expect(result.kind).toBe('memory');
    } else {
      expect(result.end.reason === 'memory' || /MemoryError/.test(result.end.message ?? '')).toBe(true);
    }
    await stillWorks();
  });

  test('one huge allocation is a clear Python error', async () => {
    for (const code of ['x = bytearray(10**10)', 'x = bytearray(10**9)', "x = 'a' * (3 * 10**8)"]) {
      const trace = asTrace(await runtime.trace(code));
      // wasm32 cannot even index 10**10 bytes (OverflowError); the others run into the wasm cap.
      if (trace.end.reason !== 'memory') expect(trace.end.message).toMatch(/MemoryError|OverflowError/);
    }
    await stillWorks();
  });

  test('lifting the wasm cap from JS runs into the resident-size watchdog', async () => {
    const { result } = await timed(
      [
        'import importlib',
        "js = importlib.import_module('js')",
        // A native grow() from another realm works on this realm's memory and bypasses the child's cap.
        'js.WebAssembly.Memory.prototype.grow = js.process.getBuiltinModule("vm").runInNewContext("WebAssembly.Memory.prototype.grow")',
        'x = []',
        'while True:',
        "    x.append('a' * 10**7)",
      ].join('\n'),
      MEMORY_TIME,
    );
    expect(result, JSON.stringify(result).slice(0, 300)).toMatchObject({ kind: 'memory' });
    await stillWorks();
  });

  test('filling the JS heap crashes only the child, reported as memory', async () => {
    const { result } = await timed(
      'import importlib\njs = importlib.import_module("js")\nvm = js.process.getBuiltinModule("vm")\nvm.runInThisContext("const a = []; for (;;) a.push(new Array(1e6).fill(1.5))")\n',
      MEMORY_TIME,
    );
    expect(result).toMatchObject({ kind: 'memory' });
    await stillWorks();
  });
});
