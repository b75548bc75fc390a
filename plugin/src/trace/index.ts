/**
 * Tracing a Python program: `trace(code, options)` runs it in the build's shared sandboxed Pyodide (started on
 * first use) and returns its {@link Trace}, or a {@link TraceFailure} when it could not be traced.
 */
import type { Trace, TraceFailure, TraceOptions } from './format.ts';
import { TraceRuntime, type RuntimeOptions } from './runtime.ts';

export * from './format.ts';
export { TraceRuntime, isTraceFailure, type RuntimeOptions, type RuntimeStats } from './runtime.ts';

/** Anything that traces programs: the sandboxed runtime, or a stand-in (the engine takes one). */
export interface TraceRunner {
  trace(code: string, options?: TraceOptions): Promise<Trace | TraceFailure>;
  close?(): Promise<void>;
}

let shared: TraceRuntime | undefined;

/**
 * The process-wide runtime. It never keeps the process alive while idle, so a build or script that forgets to
 * close it still exits; {@link closeSharedRuntime} ends it explicitly.
 */
export function sharedRuntime(options?: RuntimeOptions): TraceRuntime {
  shared ??= new TraceRuntime(options);
  return shared;
}

export async function closeSharedRuntime(): Promise<void> {
  const runtime = shared;
  shared = undefined;
  await runtime?.close();
}

export function trace(code: string, options?: TraceOptions): Promise<Trace | TraceFailure> {
  return sharedRuntime().trace(code, options);
}
