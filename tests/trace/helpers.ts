import { readFileSync } from 'node:fs';
import {
  isTraceFailure,
  type Frame,
  type HeapObject,
  type Step,
  type Trace,
  type Value,
} from '../../plugin/src/trace/format.ts';
import type { RunOptions } from '../../plugin/src/trace/runtime.ts';
import { traceInProcess } from '../../scripts/dev-run.ts';

/** The seed article's program, as the renderer's seed fixture holds it. */
export const SEED = readFileSync(new URL('../fixtures/render/seed/program.py', import.meta.url), 'utf8');

/** Trace and insist on a Trace (not a failure). */
export async function trace(code: string, options: RunOptions = {}): Promise<Trace> {
  const result = await traceInProcess(code, options);
  if (isTraceFailure(result)) throw new Error(`trace failed: ${JSON.stringify(result)}`);
  return result;
}

export const local = (frame: Frame, name: string): Value | undefined => frame.locals.find(([k]) => k === name)?.[1];

export function global(step: Step, name: string): Value | undefined {
  return local(step.frames[0], name);
}

export function ref(v: Value | undefined): number {
  if (!v || !('ref' in v)) throw new Error(`not a reference: ${JSON.stringify(v)}`);
  return v.ref;
}

export function obj(step: Step, v: Value | undefined): HeapObject {
  const o = step.heap[String(ref(v))];
  if (!o) throw new Error(`heap id ${ref(v)} missing at line ${step.line}`);
  return o;
}

export const reprOf = (v: Value | undefined) => (v && 'repr' in v ? v.repr : undefined);

/** The first step at `line` with `event` (default: line). */
export function at(t: Trace, line: number, event: Step['event'] = 'line', nth = 0): Step {
  const found = t.steps.filter((s) => s.line === line && s.event === event);
  if (!found[nth]) throw new Error(`no ${event} step #${nth} at line ${line}`);
  return found[nth];
}
