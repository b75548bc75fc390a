/**
 * The trace runtime with its real child process and real Pyodide: one child serves many programs, each in a fresh
 * namespace, with stable output, and an idle runtime does not hold the process open.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { TraceRuntime } from '../../plugin/src/trace/runtime.ts';
import { asTrace, printed } from './helpers.ts';

const runtime = new TraceRuntime();
afterAll(() => runtime.close());

describe('one runtime, many programs', () => {
  test('traces a program and reports what it printed and where it went', async () => {
    const trace = asTrace(await runtime.trace('x = [1, 2]\ny = x\ny.append(3)\nprint(x)\n'));
    expect(trace.format).toBe('memtrace');
    expect(trace.python).toMatch(/^3\.\d+\.\d+$/);
    expect(trace.stdout).toBe('[1, 2, 3]\n');
    expect(trace.end.reason).toBe('completed');
    expect(trace.steps.map((s) => s.line)).toEqual(expect.arrayContaining([1, 2, 3, 4]));
  });

  test('runs blocks one after another through a single child', async () => {
    const before = runtime.stats.starts;
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => runtime.trace(`print(${n} * ${n})`)));
    expect(results.map(printed)).toEqual(['1\n', '4\n', '9\n', '16\n', '25\n']);
    expect(runtime.stats.starts).toBe(before);
    expect(runtime.stats.starts).toBe(1);
  });

  test('an uncaught exception is part of the trace, not a failure', async () => {
    const trace = asTrace(await runtime.trace('def f():\n    raise ValueError("boom")\nf()\n'));
    expect(trace.end.reason).toBe('exception');
    expect(trace.end.message).toContain('ValueError');
  });

  test('a syntax error is a failure located at its line and column', async () => {
    const result = await runtime.trace('x = 1\ndef f(:\n    pass\n');
    expect(result).toMatchObject({ kind: 'syntax', line: 2, column: 7 });
  });

  test('bad options are refused before anything runs', async () => {
    expect(await runtime.trace('x = 1', { maxSteps: -3 })).toMatchObject({ kind: 'options' });
    expect(await runtime.trace('x = 1', { timeoutMs: 1.5 })).toMatchObject({ kind: 'options' });
  });

  test('the same program gives the same bytes, in this child and in a fresh one', async () => {
    const program = 's = {"pear", "fig", "apple", "kiwi"}\nd = {w: hash(w) for w in s}\nprint(list(s), hash("abc"))\n';
    const first = await runtime.traceJson(program);
    const again = await runtime.traceJson(program);
    const other = new TraceRuntime();
    try {
      expect(await other.traceJson(program)).toBe(first);
    } finally {
      await other.close();
    }
    expect(again).toBe(first);
    expect(typeof first === 'string' && first.length).toBeGreaterThan(100);
  });
});

describe('isolation between blocks', () => {
  test('a global, a patched builtin, a module and a sys change do not reach the next block', async () => {
    const a = await runtime.trace(
      [
        'import builtins, sys, types',
        'secret = 42',
        'builtins.print = lambda *a, **k: None',
        'builtins.extra = "leak"',
        "sys.modules['x'] = types.ModuleType('x')",
        'sys.setrecursionlimit(77)',
        'sys.path.append("/nowhere")',
      ].join('\n'),
    );
    expect(asTrace(a).end.reason).toBe('completed');
    const b = await runtime.trace(
      [
        'import builtins, sys',
        "print('secret' in globals(), hasattr(builtins, 'extra'), 'x' in sys.modules)",
        'print(sys.getrecursionlimit() != 77, "/nowhere" in sys.path)',
      ].join('\n'),
    );
    expect(printed(b)).toBe('False False False\nTrue False\n');
  });

  test('patching a module the tracer itself uses neither breaks that trace nor the next block', async () => {
    const a = await runtime.trace('import json, sys\njson.dumps = None\nsys.settrace = None\nx = 1\n');
    expect(asTrace(a).end.reason).toBe('completed');
    expect(printed(await runtime.trace('import json\nprint(json.dumps([1]))'))).toBe('[1]\n');
  });

  test('a block that raised leaves nothing behind either', async () => {
    await runtime.trace('leftover = [1, 2, 3]\nraise RuntimeError("stop")\n');
    expect(printed(await runtime.trace('print("leftover" in globals())'))).toBe('False\n');
  });
});

describe('start-up from a snapshot', () => {
  const program = 'import sys\nnames = sorted(sys.modules)\nprint(sys.path, len(names), hash("memtrace"))\n';

  test('a child started from the snapshot traces like one booted from scratch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memtrace-snapshot-'));
    const booted = new TraceRuntime({ snapshotDir: false });
    const maker = new TraceRuntime({ snapshotDir: dir });
    const finder = new TraceRuntime({ snapshotDir: dir });
    try {
      const fromBoot = await booted.traceJson(program);
      const fromMade = await maker.traceJson(program);
      const fromFound = await finder.traceJson(program);
      expect([booted.stats.snapshot, maker.stats.snapshot, finder.stats.snapshot]).toEqual(['off', 'made', 'found']);
      expect(readdirSync(dir)).toHaveLength(1);
      expect(fromMade).toBe(fromBoot);
      expect(fromFound).toBe(fromBoot);
    } finally {
      await Promise.all([booted.close(), maker.close(), finder.close()]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a snapshot file Pyodide refuses is deleted and the child boots instead', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memtrace-snapshot-'));
    const maker = new TraceRuntime({ snapshotDir: dir });
    await maker.start();
    await maker.close();
    const [name] = readdirSync(dir);
    writeFileSync(join(dir, name), 'not a snapshot');
    const runtime = new TraceRuntime({ snapshotDir: dir });
    try {
      expect(printed(await runtime.trace('print("booted")'))).toBe('booted\n');
      expect(runtime.stats.snapshot).toBe('off');
      expect(runtime.stats.starts).toBe(2);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('process lifetime', () => {
  test('a script that traces through index.ts and never closes still exits', () => {
    const index = fileURLToPath(new URL('../../plugin/src/trace/index.ts', import.meta.url));
    const script = `import { trace } from ${JSON.stringify(index)};\nconst r = await trace('print(6 * 7)');\nconsole.log(r.stdout.trim());`;
    const started = Date.now();
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('42');
    expect(run.status).toBe(0);
    expect(run.signal).toBeNull();
    // It exits on its own right after the trace, not after a timeout of ours.
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  test('a closed runtime refuses more work', async () => {
    const closing = new TraceRuntime();
    await closing.trace('x = 1');
    await closing.close();
    await expect(closing.trace('x = 2')).rejects.toThrow(/closed/);
  });
});
