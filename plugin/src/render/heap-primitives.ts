/**
 * Python Tutor's "render all objects on the heap": every primitive becomes a heap object of its own, reached by an
 * arrow. The trace has no ids for primitives, so equal values (same type and repr) share one object, much as
 * CPython shares small ints and interned strings. Dict keys stay inline, as they read better there.
 */
import { isRef, type HeapObject, type Step, type Trace, type Value } from '../trace/format.ts';

export function primitivesOnHeap(trace: Trace): Trace {
  const ids = new Map<string, number>();
  let next = -1;
  for (const s of trace.steps) for (const k of Object.keys(s.heap)) next = Math.min(next, Number(k) - 1);
  const idOf = (v: Value): number => {
    const key = JSON.stringify(v);
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = next--));
    return id;
  };
  const steps = trace.steps.map((step): Step => {
    const made: Record<string, HeapObject> = {};
    const box = (v: Value): Value => {
      if (isRef(v)) return v;
      const id = idOf(v);
      made[id] = { kind: 'other', type: v.type, repr: v.repr };
      return { ref: id };
    };
    const heap: Record<string, HeapObject> = {};
    for (const [k, o] of Object.entries(step.heap)) {
      switch (o.kind) {
        case 'list':
        case 'tuple':
        case 'set':
        case 'frozenset':
          heap[k] = { ...o, items: o.items.map(box) };
          break;
        case 'dict':
          heap[k] = { ...o, entries: o.entries.map(([a, b]) => [a, box(b)]) };
          break;
        case 'instance':
        case 'class':
          heap[k] = { ...o, attrs: o.attrs.map(([a, b]) => [a, box(b)]) };
          break;
        case 'generator':
          heap[k] = o.frame ? { ...o, frame: { ...o.frame, locals: o.frame.locals.map(([a, b]) => [a, box(b)]) } } : o;
          break;
        default:
          heap[k] = o;
      }
    }
    const frames = step.frames.map((f) => ({
      ...f,
      locals: f.locals.map(([a, b]): [string, Value] => [a, box(b)]),
      ...(f.returnValue !== undefined ? { returnValue: box(f.returnValue) } : {}),
    }));
    return { ...step, frames, heap: { ...heap, ...made } };
  });
  return { ...trace, steps };
}
