/**
 * Tracing a Python program: `trace(code, options)` runs it in the build's shared sandboxed Pyodide (started on
 * first use) and returns its {@link Trace}, or a {@link TraceFailure} when it could not be traced.
 */
import { traceWithNotes } from '../notes/index.ts';
import type { Trace, TraceFailure, TraceOptions } from './format.ts';
import { RuntimePool } from './pool.ts';
import { TraceRuntime, type RuntimeOptions } from './runtime.ts';

export * from './format.ts';
export { RuntimePool, poolSize } from './pool.ts';
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

let pool: RuntimePool | undefined;

/**
 * The process-wide pool of runtimes (one child per four cores, within memory; see trace/pool.ts), which builds trace
 * with. Its children are started as traces come, and end as {@link sharedRuntime}'s does.
 */
export function sharedPool(): RuntimePool {
  pool ??= new RuntimePool();
  return pool;
}

/** Ends the shared runtime and the shared pool. */
export async function closeSharedRuntime(): Promise<void> {
  const runtime = shared;
  const runtimes = pool;
  shared = undefined;
  pool = undefined;
  await Promise.all([runtime?.close(), runtimes?.close()]);
}

/**
 * Traces a program; its `#:` notes are taken out of the code and put on the steps they explain (`Step.note`). A
 * note that shows at no step is reported with `process.emitWarning` (type `MemtraceNoteWarning`).
 */
export async function trace(code: string, options?: TraceOptions): Promise<Trace | TraceFailure> {
  const result = await traceWithNotes(sharedRuntime(), code, options);
  if ('kind' in result) return result;
  for (const w of result.warnings)
    process.emitWarning(`line ${w.line}, column ${w.column}: ${w.message}`, 'MemtraceNoteWarning');
  return result.trace;
}
