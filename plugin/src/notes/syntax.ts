/**
 * The note syntax: comments that start with `#:` in a memtrace program. Parsing takes them out of the program (or,
 * with `keep`, turns them into ordinary comments) and says where each note attaches. The reference is the docs page
 * `/docs/narration/`.
 *
 * ```python
 * #: A note on its own line attaches to the next line of code.
 * x = [1, 2]          #: A note after code attaches to that line, the first time it runs.
 * for v in x:
 *     total = v       #: [every] Each pass runs this line again.
 *     print(v)        #: [2nd] Only the second pass.
 * def f():
 *     return 1        #: [return] At the step where `f` returns, its frame holds the return value.
 * #: [step 3] A note on step 3 of the trace.
 * #: [end] A note on the program's last step.
 * ```
 */
import { parseInline } from './inline.ts';
import { findComments, type LineComment } from './lexer.ts';

/** Which of a line's runs (or returns) a line note is for: the first (default), every one, or the n-th (1-based). */
export type NoteTimes = 'first' | 'every' | number;

/** When a note shows. */
export type NoteWhen =
  /**
   * A line note. `run`: at the step after its line runs (the step whose "just ran" arrow points at the line).
   * `return`: at the step where a function returns from its line (its frame shows the return value).
   */
  | { kind: 'line'; event: 'run' | 'return'; times: NoteTimes }
  /** At a step number of the trace (1-based, as `steps=` counts). */
  | { kind: 'step'; step: number }
  /** At the program's last step. */
  | { kind: 'end' };

/** One note as the author wrote it. */
export interface Note {
  /** The note's text: one paragraph of inline Markdown (code spans, emphasis, strong, links). */
  markdown: string;
  when: NoteWhen;
  /** For line notes: the 1-based line of the traced program (notes taken out) it explains. */
  line?: number;
  /** Where the note's `#:` is in the author's program: 1-based line and column. */
  source: { line: number; column: number };
}

/** A note that cannot be shown as written; located in the author's program (1-based line and column). */
export interface NoteWarning {
  message: string;
  line: number;
  column: number;
}

/** A program with its notes taken out (or kept as comments) and the notes found in it. */
export interface NarratedProgram {
  /** The program to trace and show. */
  code: string;
  notes: Note[];
  warnings: NoteWarning[];
  /** For a 1-based line of {@link code}: the line of the author's program it came from. */
  sourceLine(line: number): number;
}

export interface ParseNotesOptions {
  /** Keep each note in the program as an ordinary comment (`# text`) rather than taking it out. Default false. */
  keep?: boolean;
}

/** `#:` at the start of a comment or after whitespace inside one, followed by whitespace or the line's end. */
const MARKER = /(?:^|\s)(#:)(?=\s|$)/;
/** A selector: one or two bracketed words at the start of a note, followed by whitespace or the end. */
const SELECTOR = /^\[([\p{L}\p{N}]+(?: [\p{L}\p{N}]+)?)\](?=\s|$)\s*/u;
const ORDINAL = /^(\d+)(st|nd|rd|th)$/;

const SELECTOR_HELP =
  '`[every]`, an ordinal like `[2nd]`, `[return]`, `[every return]`, `[2nd return]`, `[step N]` or `[end]`';

/** `first`, `every` or an ordinal (`3rd`); undefined for anything else. */
function readTimes(word: string): NoteTimes | undefined {
  if (word === 'first' || word === 'every') return word;
  const ordinal = ORDINAL.exec(word);
  return ordinal && Number(ordinal[1]) >= 1 ? Number(ordinal[1]) : undefined;
}

/** Reads a note's optional selector, or says why the brackets hold none. */
function readSelector(text: string): { when: NoteWhen; rest: string } | { error: string } {
  const m = SELECTOR.exec(text);
  const line = (event: 'run' | 'return', times: NoteTimes): NoteWhen => ({ kind: 'line', event, times });
  if (!m) return { when: line('run', 'first'), rest: text };
  const words = m[1]!.toLowerCase().split(' ');
  const rest = text.slice(m[0].length);
  const [a, b] = words as [string, string | undefined];
  if (b === undefined && a === 'end') return { when: { kind: 'end' }, rest };
  if (a === 'step' && b !== undefined && /^\d+$/.test(b) && Number(b) >= 1)
    return { when: { kind: 'step', step: Number(b) }, rest };
  if (b === undefined && a === 'return') return { when: line('return', 'first'), rest };
  const times = readTimes(a);
  if (times !== undefined && b === undefined) return { when: line('run', times), rest };
  if (times !== undefined && b === 'return') return { when: line('return', times), rest };
  if (b === undefined && /^\d+$/.test(a)) {
    const nth = `${a}${ordinalSuffix(Number(a))}`;
    return {
      error: `\`[${a}]\` is ambiguous: write \`[${nth}]\` for the ${nth} time the line runs, or \`[step ${a}]\``,
    };
  }
  return { error: `unknown note selector \`[${m[1]}]\`: expected ${SELECTOR_HELP}` };
}

function ordinalSuffix(n: number): string {
  if (n % 100 >= 11 && n % 100 <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
}

const isBlankOrComment = (text: string) => /^\s*(#.*)?$/.test(text);

interface Found {
  /** 0-based index of the line in the author's program. */
  index: number;
  /** 0-based column of `#:`. */
  column: number;
  text: string;
  /** The note sits on a line without code: it explains the next line of code. */
  standalone: boolean;
}

/** A note kept as an ordinary comment after `before`; a `# break` stays last on the line, where it is recognised. */
function asComment(before: string, text: string): string {
  if (before.trim() === '') return `${before}# ${text}`.trimEnd();
  const mark = /\s*#\s*break\s*$/.exec(before.trimEnd());
  const code = mark ? before.slice(0, mark.index) : before.trimEnd();
  const comment = `${code}  # ${text}`.trimEnd();
  return mark ? `${comment}  # break` : comment;
}

/** Finds every `#:` comment: where it is, its text, and the line with the note taken out (or made ordinary). */
function findNotes(
  lines: string[],
  comments: (LineComment | undefined)[],
  keep: boolean,
): { found: Found[]; kept: (string | undefined)[] } {
  const found: Found[] = [];
  const kept: (string | undefined)[] = [];
  lines.forEach((line, index) => {
    const comment = comments[index];
    const m = comment && MARKER.exec(line.slice(comment.column));
    if (!comment || !m) {
      kept.push(line);
      return;
    }
    const column = comment.column + m.index + m[0].length - 2;
    const before = line.slice(0, column).trimEnd();
    const text = line.slice(column + 2).trim();
    const standalone = isBlankOrComment(before);
    found.push({ index, column, text, standalone });
    if (keep) kept.push(asComment(line.slice(0, column), text.replace(SELECTOR, '')));
    else kept.push(before === '' && comment.wholeLine ? undefined : before);
  });
  return { found, kept };
}

/**
 * Parses the notes of a program. Notes that cannot attach (a selector that means nothing, a note with no line of
 * code after it) are reported in `warnings`, never dropped silently.
 */
export function parseNotes(code: string, options: ParseNotesOptions = {}): NarratedProgram {
  const lines = code.split('\n');
  const comments = findComments(code);
  const { found, kept } = findNotes(lines, comments, options.keep ?? false);
  // Traced line numbers: the author's lines that stay, renumbered.
  const shownLine: number[] = [];
  const sourceLines: number[] = [];
  kept.forEach((text, index) => {
    if (text !== undefined) sourceLines.push(index + 1);
    shownLine.push(sourceLines.length);
  });
  const notes: Note[] = [];
  const warnings: NoteWarning[] = [];
  let previous: { found: Found; note: Note } | undefined;
  for (const f of found) {
    const source = { line: f.index + 1, column: f.column + 1 };
    const selector = readSelector(f.text);
    if ('error' in selector)
      warnings.push({
        message: `${selector.error}; the note is shown as written, after its line first runs`,
        ...source,
      });
    const { when, rest } =
      'error' in selector
        ? { when: { kind: 'line', event: 'run', times: 'first' } as NoteWhen, rest: f.text }
        : selector;
    // An empty `#:` line ends the note above it; the next `#:` line starts a new one.
    if (f.standalone && f.text === '') {
      previous = undefined;
      continue;
    }
    // A `#:` line right under a standalone note continues it, unless it starts with a selector.
    if (
      previous &&
      f.standalone &&
      previous.found.standalone &&
      previous.found.index === f.index - 1 &&
      !SELECTOR.test(f.text)
    ) {
      previous.note.markdown = `${previous.note.markdown} ${rest}`.trim();
      previous.found = f;
      continue;
    }
    const note: Note = { markdown: rest, when, source };
    if (when.kind === 'line') {
      const target = f.standalone ? nextCodeLine(lines, comments, f.index) : f.index;
      if (target === undefined) {
        warnings.push({
          message: 'this note has no line of code after it to explain (write `#: [end] …` for the end of the program)',
          ...source,
        });
        previous = undefined;
        continue;
      }
      note.line = shownLine[target]!;
    }
    notes.push(note);
    previous = { found: f, note };
  }
  for (const note of notes) {
    if (note.markdown === '') warnings.push({ message: 'this note is empty', ...note.source });
    for (const problem of parseInline(note.markdown).problems) warnings.push({ message: problem, ...note.source });
  }
  return {
    code: kept.filter((t) => t !== undefined).join('\n'),
    notes: notes.filter((n) => n.markdown !== ''),
    warnings,
    sourceLine: (line) => sourceLines[line - 1] ?? line,
  };
}

/** The 0-based index of the first line after `index` that holds code (not blank, not only a comment). */
function nextCodeLine(lines: string[], comments: (LineComment | undefined)[], index: number): number | undefined {
  for (let i = index + 1; i < lines.length; i++) {
    const c = comments[i];
    const code = c ? lines[i]!.slice(0, c.column) : lines[i]!;
    if (code.trim() !== '' || (c && !c.wholeLine)) return i;
  }
  return undefined;
}
