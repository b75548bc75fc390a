/**
 * In-process tracer loader for development and tests: no sandbox, no hard kill (the runtime does that).
 * One Pyodide per process, created on first use; each trace runs `run_trace` from the tracer's modules (tracer-modules.ts), which isolates runs
 * from each other itself.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Trace, TraceFailure, TraceOptions } from './format.ts';
import { tracerOptions } from './runtime.ts';
import { tracerModulePaths } from './tracer-modules.ts';


export type TraceResult = Trace | { failure: TraceFailure };

export interface DevRunOptions extends TraceOptions {
  format?: 'memtrace' | 'pytutor';
}

type RunTrace = (code: string, optionsJson: string) => string;

let loading: Promise<RunTrace> | undefined;

async function load(): Promise<RunTrace> {
  const require = createRequire(import.meta.url);
  const pyodideDir = dirname(require.resolve('pyodide/package.json'));
  const { loadPyodide } = await import('pyodide');
  const pyodide = await loadPyodide({ indexURL: pyodideDir + '/', env: { PYTHONHASHSEED: '0' } });
  const ns = pyodide.globals.get('dict')();
  for (const module of tracerModulePaths()) pyodide.runPython(readFileSync(module, 'utf8'), { globals: ns, filename: module });
  const fn = ns.get('run_trace');
  return (code, optionsJson) => fn(code, optionsJson) as string;
}

/** The tracer's answer to options passed exactly as given, without the defaults filled in (tests of the tracer's own checks). */
export async function traceWithRawOptions(code: string, optionsJson: string): Promise<string> {
  loading ??= load();
  return (await loading)(code, optionsJson);
}

/** Raw JSON text from the tracer, every limit filled from defaults.ts where not given (byte-stability tests compare this). */
export async function traceJsonInProcess(code: string, options: DevRunOptions = {}): Promise<string> {
  loading ??= load();
  const runTrace = await loading;
  return runTrace(code, JSON.stringify(tracerOptions(options)));
}

export async function traceInProcess(code: string, options: DevRunOptions = {}): Promise<TraceResult> {
  return JSON.parse(await traceJsonInProcess(code, options)) as TraceResult;
}
