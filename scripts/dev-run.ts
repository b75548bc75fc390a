/**
 * In-process tracer loader for development, tests and scripts: no sandbox, no hard kill (the runtime does that).
 * One Pyodide per process, created on first use; each trace runs `run_trace` from tracer.py, which isolates runs
 * from each other itself. Not part of the package: builds always go through the sandboxed runtime.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TraceFailure, TraceResult } from '../plugin/src/trace/format.ts';
import type { RunOptions } from '../plugin/src/trace/runtime.ts';

/** The tracer that the sandboxed child runs too. */
export const TRACER_PATH = fileURLToPath(new URL('../plugin/src/trace/tracer.py', import.meta.url));

type RunTrace = (code: string, optionsJson: string) => string;

let loading: Promise<RunTrace> | undefined;

async function load(): Promise<RunTrace> {
  const require = createRequire(import.meta.url);
  const pyodideDir = dirname(require.resolve('pyodide/package.json'));
  const { loadPyodide } = await import('pyodide');
  const pyodide = await loadPyodide({ indexURL: pyodideDir + '/', env: { PYTHONHASHSEED: '0' } });
  const ns = pyodide.globals.get('dict')();
  pyodide.runPython(readFileSync(TRACER_PATH, 'utf8'), { globals: ns, filename: TRACER_PATH });
  const fn = ns.get('run_trace');
  return (code, optionsJson) => fn(code, optionsJson) as string;
}

/** Raw JSON text from the tracer (byte-stability tests compare this): a trace, or `{"failure": …}`. */
export async function traceJsonInProcess(code: string, options: RunOptions = {}): Promise<string> {
  loading ??= load();
  const runTrace = await loading;
  return runTrace(code, JSON.stringify(options));
}

/** A program's trace or failure, the same {@link TraceResult} the sandboxed runtime gives. */
export async function traceInProcess(code: string, options: RunOptions = {}): Promise<TraceResult> {
  const parsed = JSON.parse(await traceJsonInProcess(code, options)) as TraceResult | { failure: TraceFailure };
  return 'failure' in parsed ? parsed.failure : parsed;
}
