/**
 * Which step shows which note. A note on a line shows at the step after that line ran: the step whose "line that
 * just ran" arrow points at it. A line "runs" at each `line` event on it, so a loop header or a line that calls a
 * function counts once per pass, not once per step it takes part in.
 */
import type { Step, Trace } from '../trace/format.ts';
import type { NarratedProgram, Note, NoteWarning } from './syntax.ts';

/** Each step's own note (inline Markdown), by step index; `undefined` where a step has none. */
export type StepNotes = (string | undefined)[];

/**
 * Where each line's runs and returns are: `runs.get(line)[n]` is the step after its (n+1)-th run, `returns.get(line)[n]`
 * the step of its (n+1)-th return.
 */
function lineEvents(steps: readonly Pick<Step, 'line' | 'event'>[]): {
  runs: Map<number, number[]>;
  returns: Map<number, number[]>;
} {
  const runs = new Map<number, number[]>();
  const returns = new Map<number, number[]>();
  const add = (map: Map<number, number[]>, line: number, k: number) => {
    const list = map.get(line);
    if (list) list.push(k);
    else map.set(line, [k]);
  };
  steps.forEach((step, k) => {
    if (step.event === 'return') add(returns, step.line, k);
    if (k > 0 && steps[k - 1]!.event === 'line') add(runs, steps[k - 1]!.line, k);
  });
  return { runs, returns };
}

const times = (n: number) => (n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`);

/** The step indices a note shows at, or a warning saying why it shows nowhere. */
function stepsOf(
  note: Note,
  steps: readonly Pick<Step, 'line' | 'event'>[],
  events: ReturnType<typeof lineEvents>,
  program: NarratedProgram,
): number[] | string {
  const { when } = note;
  if (when.kind === 'end') return [steps.length - 1];
  if (when.kind === 'step') {
    return when.step <= steps.length
      ? [when.step - 1]
      : `there is no step ${when.step}: this program has ${steps.length} steps`;
  }
  const where = `line ${program.sourceLine(note.line!)}`;
  const returning = when.event === 'return';
  const found = (returning ? events.returns : events.runs).get(note.line!) ?? [];
  if (found.length === 0) {
    return returning
      ? `this note is for a return from ${where}, but no function returns from there in the trace`
      : `this note explains ${where}, which never runs to its end in the trace (a note explains the line where a statement starts)`;
  }
  if (when.times === 'every') return found;
  if (when.times === 'first') return [found[0]!];
  if (when.times <= found.length) return [found[when.times - 1]!];
  return returning
    ? `functions return from ${where} ${times(found.length)}, so this note for return ${when.times} never shows`
    : `${where} runs ${times(found.length)}, so this note for run ${when.times} never shows`;
}

/**
 * Gives each step of a trace its note. Several notes on one step are joined in the order they are written. A note
 * that shows at no step (its line never runs, it names a step past the last) is a warning, located at its `#:`.
 */
export function resolveNotes(
  program: NarratedProgram,
  steps: readonly Pick<Step, 'line' | 'event'>[],
): { notes: StepNotes; warnings: NoteWarning[] } {
  const notes: StepNotes = steps.map(() => undefined);
  const warnings: NoteWarning[] = [];
  if (steps.length === 0) return { notes, warnings };
  const events = lineEvents(steps);
  for (const note of program.notes) {
    const at = stepsOf(note, steps, events, program);
    if (typeof at === 'string') {
      warnings.push({ message: at, ...note.source });
      continue;
    }
    for (const k of at) notes[k] = notes[k] === undefined ? note.markdown : `${notes[k]} ${note.markdown}`;
  }
  return { notes, warnings };
}

/**
 * The trace with each step's note in {@link Step.note} (format version 2). Returns the same trace object when the
 * program has no notes, so a trace without notes stays the tracer's own, byte for byte.
 */
export function attachNotes(trace: Trace, program: NarratedProgram): { trace: Trace; warnings: NoteWarning[] } {
  if (program.notes.length === 0) return { trace, warnings: [] };
  const { notes, warnings } = resolveNotes(program, trace.steps);
  const steps = trace.steps.map((step, k) => (notes[k] === undefined ? step : { ...step, note: notes[k] }));
  return { trace: { ...trace, steps }, warnings };
}

/** What a shown step displays: its own note, or the last one before it, carried over (drawn dimmed). */
export interface ShownNote {
  markdown: string;
  /** The note belongs to an earlier step; it stays so the reader keeps the thread until the next note starts. */
  carried: boolean;
}

/**
 * The note each shown step displays, for a figure that shows only some steps (`shown`: ascending step indices). A
 * note on a step that is not shown goes to the next shown step (joined with its own), so `# break` or `steps=`
 * never hide a note.
 */
export function shownNotes(steps: readonly Pick<Step, 'note'>[], shown: readonly number[]): (ShownNote | undefined)[] {
  let last: string | undefined;
  let from = 0;
  return shown.map((index) => {
    const own =
      steps
        .slice(from, index + 1)
        .flatMap((s) => (s.note === undefined ? [] : [s.note]))
        .join(' ') || undefined;
    from = index + 1;
    if (own !== undefined) {
      last = own;
      return { markdown: own, carried: false };
    }
    return last === undefined ? undefined : { markdown: last, carried: true };
  });
}
