import { expect } from 'vitest';
import type { Trace, TraceFailure } from '../../plugin/src/trace/format.ts';
import { isTraceFailure } from '../../plugin/src/trace/runtime.ts';

/** The result as a trace; fails the test with the failure's message otherwise. */
export function asTrace(result: Trace | TraceFailure): Trace {
  if (isTraceFailure(result)) expect.fail(`expected a trace, got a ${result.kind} failure: ${result.message}`);
  return result;
}

/** What the program printed, when it ran. */
export const printed = (result: Trace | TraceFailure): string => asTrace(result).stdout;

/** The exception that ended the program, as `Type: message`, or '' when it ended normally. */
export function ending(result: Trace | TraceFailure): string {
  const trace = asTrace(result);
  return trace.end.reason === 'exception' ? (trace.end.message ?? '') : '';
}
