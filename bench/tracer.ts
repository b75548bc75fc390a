/**
 * The tracer's own cost on a set of programs, start-up excluded: the same harness (bench/time_tracer.py) in Pyodide,
 * in-process, and in the local CPython; and, when a folder with Python Tutor's pg_logger.py and pg_encoder.py is
 * given (`--pytutor DIR` or MEMTRACE_PYTUTOR_DIR), Python Tutor's own tracer in the local CPython on the same programs
 * in the same run (bench/time_pytutor.py). Python Tutor's code is not part of this repository.
 * MEMTRACE_TRACER_DIR times the tracer modules of another folder (an older tracer, say) instead of this checkout's.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { tracerSource } from '../plugin/src/trace/tracer-modules.ts';
import { median, type Row } from './lib.ts';

const root = resolve(import.meta.dirname, '..');
const SECTION = 'conformance';
/** The target for memtrace's tracer in Pyodide against Python Tutor's in native CPython (sum of medians). */
const PYTUTOR_TARGET = 0.5;

type Times = Record<string, number>;
/** Median milliseconds per program: wall time, and CPU time (steadier on a machine shared with other work). */
type Timing = { wall: Times; cpu: Times };
type HarnessResult = { ok?: Timing; error?: string };

/** The tracer under test: this checkout's, or the modules in MEMTRACE_TRACER_DIR. */
const tracer = () => {
  const dir = process.env.MEMTRACE_TRACER_DIR;
  return dir ? tracerSource(resolve(dir)) : tracerSource();
};

const sum = (t: Times) => Object.values(t).reduce((a, b) => a + b, 0);

/** Median times per program of memtrace's tracer in Pyodide, in this process (no sandbox, no IPC). */
export async function timeInPyodide(programs: Record<string, string>, runs: number): Promise<Timing> {
  const harness = readFileSync(join(root, 'bench/time_tracer.py'), 'utf8');
  const require = createRequire(import.meta.url);
  const { loadPyodide } = await import('pyodide');
  const py = await loadPyodide({
    indexURL: dirname(require.resolve('pyodide/package.json')) + '/',
    env: { PYTHONHASHSEED: '0' },
  });
  py.globals.set('SPEC', JSON.stringify({ tracer: tracer(), programs, runs }));
  const call =
    'import json as _j\n_s = _j.loads(SPEC)\n_j.dumps(time_programs(_s["tracer"], _s["programs"], _s["runs"]))';
  return JSON.parse(
    py.runPython(`${harness.replace('if __name__ == "__main__":', 'if False:')}\n${call}`) as string,
  ) as Timing;
}

/** Runs a timing harness in the local python3 with `spec` on its stdin. */
function runHarness(script: string, spec: object): HarnessResult {
  const run = spawnSync('python3', [join(root, script)], {
    input: JSON.stringify(spec),
    encoding: 'utf8',
    env: { ...process.env, PYTHONHASHSEED: '0' },
    maxBuffer: 64 * 1024 * 1024,
  });
  try {
    return JSON.parse(run.stdout) as HarnessResult;
  } catch {
    return { error: (run.stderr || run.error?.message || 'no output').trim().split('\n').pop() };
  }
}

/** Where Python Tutor's tracer is, from `--pytutor DIR` or MEMTRACE_PYTUTOR_DIR; undefined when not given. */
export function pytutorDir(args: string[]): string | undefined {
  const i = args.indexOf('--pytutor');
  const dir = i >= 0 ? args[i + 1] : process.env.MEMTRACE_PYTUTOR_DIR;
  return dir ? resolve(dir) : undefined;
}

/**
 * Rows for the tracer's cost on `programs`: memtrace in Pyodide, memtrace in the local CPython and the ratio, and
 * memtrace-in-Pyodide / Python-Tutor-in-CPython when `pytutor` names a folder with Python Tutor's tracer (else a
 * row that says how to get it). Every figure is a sum of per-program medians, start-up excluded.
 */
export async function tracerRows(programs: Record<string, string>, runs: number, pytutor?: string): Promise<Row[]> {
  const rows: Row[] = [];
  const add = (metric: string, value: number | string, unit: string) =>
    rows.push({ section: SECTION, metric, value, unit });
  const ours = await timeInPyodide(programs, runs);
  const n = Object.keys(programs).length;
  add(`tracer in Pyodide (in-process), sum of ${n} medians`, sum(ours.wall), 'ms');
  add(`tracer in Pyodide (in-process), sum of ${n} medians, CPU time`, sum(ours.cpu), 'ms');
  const version = spawnSync('python3', ['--version'], { encoding: 'utf8' }).stdout.trim();
  const native = runHarness('bench/time_tracer.py', { tracer: tracer(), programs, runs });
  if (native.ok) {
    add(`tracer in ${version}, sum of medians`, sum(native.ok.wall), 'ms');
    add(`tracer: Pyodide / ${version}, sums`, sum(ours.wall) / sum(native.ok.wall), '×');
    add(`tracer: Pyodide / ${version}, sums of CPU time`, sum(ours.cpu) / sum(native.ok.cpu), '×');
    const ratios = Object.keys(native.ok.wall).map((k) => ours.wall[k]! / native.ok!.wall[k]!);
    add(`tracer: Pyodide / ${version}, median ratio per program`, median(ratios), '×');
  } else {
    add(`native ratio (${version})`, `not measured: ${native.error}`, '');
  }
  rows.push(...pytutorRows(programs, runs, ours, version, pytutor));
  return rows;
}

/** The rows memtrace-in-Pyodide / Python-Tutor-in-CPython (wall and CPU time), or one that says why not measured. */
function pytutorRows(
  programs: Record<string, string>,
  runs: number,
  ours: Timing,
  version: string,
  dir?: string,
): Row[] {
  const metric = `tracer in Pyodide / Python Tutor's pg_logger in ${version}, sums`;
  const missing = (why: string): Row[] => [{ section: SECTION, metric, value: `not measured: ${why}`, unit: '' }];
  if (!dir) return missing('pass --pytutor DIR (or MEMTRACE_PYTUTOR_DIR) with pg_logger.py and pg_encoder.py');
  if (!existsSync(join(dir, 'pg_logger.py')) || !existsSync(join(dir, 'pg_encoder.py')))
    return missing(`no pg_logger.py and pg_encoder.py in ${dir}`);
  const pt = runHarness('bench/time_pytutor.py', { dir, programs, runs });
  if (!pt.ok) return missing(pt.error ?? 'no output');
  return (['wall', 'cpu'] as const).map((clock) => {
    const ratio = sum(ours[clock]) / sum(pt.ok![clock]);
    const what = clock === 'cpu' ? ', CPU time' : '';
    return {
      section: SECTION,
      metric: `${metric}${what} (Python Tutor: ${sum(pt.ok![clock]).toFixed(0)} ms)`,
      value: ratio,
      unit: '×',
      target: `≤ ${PYTUTOR_TARGET}×`,
      ok: ratio <= PYTUTOR_TARGET,
    };
  });
}
