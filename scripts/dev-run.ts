/**
 * In-process tracer loader for development, tests and scripts: no sandbox, no hard kill (the runtime does that).
 * One Pyodide per process, created on first use; each trace runs `run_trace` from the tracer's modules (listed in
 * plugin/src/trace/tracer-modules.ts), which isolate runs from each other themselves. Not part of the package:
 * builds always go through the sandboxed runtime.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { TraceResult } from '../plugin/src/trace/format.ts';
import { expandedJson, parseTracerAnswer } from '../plugin/src/trace/delta.ts';
import { tracerOptions, type RunOptions } from '../plugin/src/trace/runtime.ts';
import { tracerModulePaths } from '../plugin/src/trace/tracer-modules.ts';

type RunTrace = (code: string, optionsJson: string) => string;

let loading: Promise<RunTrace> | undefined;

async function load(): Promise<RunTrace> {
  const require = createRequire(import.meta.url);
  const pyodideDir = dirname(require.resolve('pyodide/package.json'));
  const { loadPyodide } = await import('pyodide');
  const pyodide = await loadPyodide({ indexURL: pyodideDir + '/', env: { PYTHONHASHSEED: '0' } });
  const ns = pyodide.globals.get('dict')();
  for (const module of tracerModulePaths())
    pyodide.runPython(readFileSync(module, 'utf8'), { globals: ns, filename: module });
  const fn = ns.get('run_trace');
  return (code, optionsJson) => fn(code, optionsJson) as string;
}

/** The tracer's answer to options passed exactly as given, without the defaults filled in (tests of the tracer's own checks). */
export async function traceWithRawOptions(code: string, optionsJson: string): Promise<string> {
  loading ??= load();
  return (await loading)(code, optionsJson);
}

/**
 * The trace as JSON text, as the runtime's `traceJson` gives it (a native trace expanded from the tracer's delta),
 * every limit filled from defaults.ts where not given (byte-stability tests compare this).
 */
export async function traceJsonInProcess(code: string, options: RunOptions = {}): Promise<string> {
  return expandedJson(await traceWithRawOptions(code, JSON.stringify(tracerOptions(options))));
}

/** A program's trace or failure, the same {@link TraceResult} the sandboxed runtime gives. */
export async function traceInProcess(code: string, options: RunOptions = {}): Promise<TraceResult> {
  const parsed = parseTracerAnswer(await traceWithRawOptions(code, JSON.stringify(tracerOptions(options))));
  return 'failure' in parsed ? parsed.failure : parsed;
}
