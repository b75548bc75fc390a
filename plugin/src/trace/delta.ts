/**
 * The tracer writes a trace as its delta: each step only with what differs from the step before it (native.py's
 * header, "Delta"). This module expands a delta into the {@link Trace} of format.ts, which every consumer reads.
 *
 * What a step shares with the step before (a frame that did not change, an object that did not) is the same
 * JavaScript object in both steps. A trace is read, never written to, downstream, so sharing is safe; it also makes
 * a long trace cheaper to hold and to post to a drawing thread, which copies a shared object once.
 */
import type { Frame, HeapObject, Step, Trace, TraceFailure, Value } from './format.ts';

/** A step as the tracer writes it: frames by id where unchanged, the heap as changes, no `changed`. */
export interface DeltaStep extends Omit<Step, 'frames' | 'changed'> {
  /** A frame the step before had: by its id when unchanged, as [id, line] when only its line differs. */
  frames: (Frame | number | [number, number])[];
  /** The step before's objects that are not in this step's heap. */
  drop?: number[];
}

/** A trace as the tracer writes it: {@link Trace} with `delta` in place of `steps`. */
export type DeltaTrace = Omit<Trace, 'steps'> & { delta: DeltaStep[] };

/** The tracer's native answer: a delta trace, or a failure. */
export type TracerAnswer = DeltaTrace | { failure: TraceFailure };

/** Expands the tracer's delta into the documented {@link Trace}, keys in the order the format lists them. */
export function expandTrace(delta: DeltaTrace): Trace {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(delta)) {
    if (k === 'delta') out.steps = expandSteps(v as DeltaStep[]);
    else out[k] = v;
  }
  return out as unknown as Trace;
}

function expandSteps(delta: DeltaStep[]): Step[] {
  const steps: Step[] = [];
  let frames = new Map<number, Frame>();
  let heap: Record<string, HeapObject> = {};
  for (const d of delta) {
    const shown = d.frames.map((f) => frameOf(f, frames));
    const before = frames;
    frames = new Map(shown.map((f) => [f.id, f]));
    heap = d.drop ? without(heap, d.drop, d.heap) : { ...heap, ...d.heap };
    steps.push(step(d, shown, heap, changedVars(shown, before)));
  }
  return steps;
}

/** A delta's frame in full, from the step before's `frames` where the delta gives its id. */
function frameOf(f: DeltaStep['frames'][number], frames: Map<number, Frame>): Frame {
  if (typeof f === 'number') return frames.get(f)!;
  if (Array.isArray(f)) return { ...frames.get(f[0])!, line: f[1] };
  return f;
}

/** `heap` less the `drop`ped ids, with `changes` written over it (a new object: the step before keeps its own). */
function without(
  heap: Record<string, HeapObject>,
  drop: number[],
  changes: Record<string, HeapObject>,
): Record<string, HeapObject> {
  const gone = new Set(drop.map(String));
  const next: Record<string, HeapObject> = {};
  for (const id in heap) if (!gone.has(id)) next[id] = heap[id]!;
  return Object.assign(next, changes);
}

/** A full step: the delta's own fields, the frames and heap in full, and what changed, in the format's key order. */
function step(d: DeltaStep, frames: Frame[], heap: Record<string, HeapObject>, vars: string[]): Step {
  const s: Step = { line: d.line, event: d.event, frames, heap, stdout: d.stdout };
  if (d.exception) s.exception = d.exception;
  if (d.omittedFrames) s.omittedFrames = d.omittedFrames;
  s.changed = { vars, objects: Object.keys(d.heap).map(Number) };
  if (d.freed) s.freed = d.freed;
  if (d.cycleOnly) s.cycleOnly = d.cycleOnly;
  return s;
}

/** `"<frame id>:<name>"` of every variable whose value differs from the step before's (or is new there). */
function changedVars(frames: Frame[], before: Map<number, Frame>): string[] {
  const changed: string[] = [];
  for (const f of frames) {
    const prev = before.get(f.id);
    if (prev === f || prev?.locals === f.locals) continue;
    const old = new Map(prev?.locals);
    for (const [name, value] of f.locals) if (!sameValue(old.get(name), value)) changed.push(`${f.id}:${name}`);
  }
  return changed;
}

/** Whether two Values are equal: a reference to the same id, or a primitive with the same fields. */
function sameValue(a: Value | undefined, b: Value): boolean {
  if (a === b) return true;
  if (a === undefined) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => (a as unknown as Record<string, unknown>)[k] === (b as unknown as Record<string, unknown>)[k]);
}

/**
 * The tracer's JSON text as the documented format: a native delta expanded and written again; anything else (a
 * Python Tutor trace, a failure) as it is.
 */
export function expandedJson(text: string): string {
  if (!text.startsWith('{"format":"memtrace"')) return text;
  const parsed = JSON.parse(text) as DeltaTrace | Trace;
  return 'delta' in parsed ? JSON.stringify(expandTrace(parsed)) : text;
}

/** The tracer's answer parsed: a native trace expanded, a failure as it is. */
export function parseTracerAnswer(text: string): Trace | { failure: TraceFailure } {
  const parsed = JSON.parse(text) as TracerAnswer | Trace;
  return 'delta' in parsed ? expandTrace(parsed) : parsed;
}
