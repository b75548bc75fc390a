/**
 * Narration: the author's notes, written as `#:` comments in a memtrace program, shown beside the diagram at the
 * step they explain. This module parses them out of the program ({@link parseNotes}), gives each step of the trace
 * its note ({@link attachNotes}), and turns a note's inline Markdown into hast or plain text ({@link noteToHast},
 * {@link noteText}). The reference for authors is the docs page `/docs/narration/`.
 */
import type { Trace, TraceFailure, TraceOptions } from '../trace/format.ts';
import { attachNotes } from './resolve.ts';
import { parseNotes, type NarratedProgram, type NoteWarning } from './syntax.ts';

export { isSafeUrl, noteText, noteToHast, parseInline, type InlineNode, type ParsedInline } from './inline.ts';
export { findComments, type LineComment } from './lexer.ts';
export { attachNotes, resolveNotes, shownNotes, type ShownNote, type StepNotes } from './resolve.ts';
export {
  parseNotes,
  type NarratedProgram,
  type Note,
  type NoteWarning,
  type NoteWhen,
  type ParseNotesOptions,
} from './syntax.ts';

/** Anything that traces a program (the sandboxed runtime, or a stand-in). */
export interface ProgramTracer {
  trace(code: string, options?: TraceOptions): Promise<Trace | TraceFailure>;
}

/** A traced program with its notes: the trace (notes on its steps) and what could not be shown. */
export interface NarratedTrace {
  trace: Trace;
  /** Notes that show at no step, or not as written; located in the author's program. */
  warnings: NoteWarning[];
  program: NarratedProgram;
}

/** A failure located in the author's program: a syntax error's line counts the note lines that were taken out. */
export function locateFailure(failure: TraceFailure, program: NarratedProgram): TraceFailure {
  return failure.line === undefined ? failure : { ...failure, line: program.sourceLine(failure.line) };
}

/**
 * Traces a program that may carry notes: takes them out (or keeps them as comments, `keep`), traces what is left,
 * and puts each step's note on it.
 */
export async function traceWithNotes(
  tracer: ProgramTracer,
  code: string,
  options: TraceOptions = {},
  keep = false,
): Promise<NarratedTrace | TraceFailure> {
  const program = parseNotes(code, { keep });
  const result = await tracer.trace(program.code, options);
  if ('kind' in result) return locateFailure(result, program);
  const { trace, warnings } = attachNotes(result, program);
  return { trace, warnings: [...program.warnings, ...warnings], program };
}

/** The same for a trace as the tracer's JSON text: unchanged, byte for byte, when the program has no notes. */
export function attachNotesToJson(json: string, program: NarratedProgram): { json: string; warnings: NoteWarning[] } {
  if (program.notes.length === 0) return { json, warnings: program.warnings };
  const { trace, warnings } = attachNotes(JSON.parse(json) as Trace, program);
  return { json: JSON.stringify(trace), warnings: [...program.warnings, ...warnings] };
}

/** One line for a warning: `where:line:column: message`, `where` being the program's file or a label. */
export const warningLine = (where: string, w: NoteWarning) => `${where}:${w.line}:${w.column}: ${w.message}`;
