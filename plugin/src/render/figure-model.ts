/**
 * The "model" stage of render(): what every shown step shows (model.ts), the program's lines as drawn, and the
 * names the text version gives objects.
 */
import { shownNotes, type ShownNote } from '../notes/resolve.ts';
import type { Trace } from '../trace/format.ts';
import { primitivesOnHeap } from './heap-primitives.ts';
import { buildModels, type StepModel } from './model.ts';
import { MAX } from './sizes.ts';
import { omittedLabel } from './text.ts';
import type { RenderOptions } from './types.ts';
import { clip, expandTabs, sanitize } from './values.ts';

/** What every shown step shows, and the program's lines. */
export interface FigureModel {
  steps: StepModel[];
  /** The program's lines, tabs expanded, without trailing blank lines. */
  code: string[];
  /** Per step, the label of the calls a deep stack leaves out ('' when it leaves none out). */
  omitted: string[];
  /** Heap id → "object N", numbered in the order the figure first reaches them. */
  objectNumber: Map<number, number>;
  /** Per step, the note it shows: its own (the author's Markdown), or the last one carried over. */
  notes: (ShownNote | undefined)[];
}

/** Models the shown steps of a trace (`shown`: indices into trace.steps, already checked). */
export function modelFigure(trace: Trace, shown: number[], options: RenderOptions): FigureModel {
  const src = options.heapPrimitives ? primitivesOnHeap(trace) : trace;
  const steps = buildModels(src, shown, {
    hide: options.hide ?? [],
    showExited: options.showExited ?? true,
    showGenerated: options.showGenerated ?? false,
  });
  const code = sanitize(trace.code)
    .replace(/\n+$/, '')
    .split('\n')
    .map((l) => expandTabs(l));
  const omitted = steps.map((m) =>
    m.omitted ? omittedLabel(m.omitted, m.omitted.name && clip(m.omitted.name, MAX.name)) : '',
  );
  const objectNumber = new Map<number, number>();
  for (const m of steps)
    for (const o of [...m.objects, ...m.unseen])
      if (!objectNumber.has(o.id)) objectNumber.set(o.id, objectNumber.size + 1);
  return { steps, code, omitted, objectNumber, notes: shownNotes(trace.steps, shown) };
}
