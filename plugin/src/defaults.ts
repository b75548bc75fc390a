/**
 * Every default of memtrace, defined once. The engine, the runtime and the CLI read them from here, and the tracer
 * receives them as arguments (it never falls back on numbers of its own).
 */

/** Limits of one trace (see `TraceOptions` in trace/format.ts). */
export const TRACE_DEFAULTS = {
  /** Steps recorded before the program is stopped. */
  maxSteps: 1000,
  /** Wall-clock time a program may run, in milliseconds. */
  timeoutMs: 10_000,
  /** Characters of printed output kept; the rest is cut with a count. */
  maxOutputChars: 10_000,
  /** Items of one container encoded; the rest are cut with a count. */
  maxContainerItems: 100,
  /** Active call frames encoded; deeper stacks leave the middle out. */
  maxFrames: 40,
} as const;

export type TraceDefaults = typeof TRACE_DEFAULTS;
