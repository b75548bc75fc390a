/**
 * Just enough of Python's lexer to find comments: a `#` starts a comment only outside string literals, and a
 * triple-quoted string can span lines. Used to find notes without mistaking `"#: text"` in a string for one.
 */

/** The comment of one source line, when it has one. */
export interface LineComment {
  /** 0-based column of the `#` that starts the comment. */
  column: number;
  /** Whether nothing but whitespace comes before the comment (and the line does not continue a string). */
  wholeLine: boolean;
}

interface OpenString {
  quote: string;
  triple: boolean;
}

const PREFIX = /[rRbBfFuUtT]{0,2}$/;
const IDENT = /[\p{L}\p{N}_]/u;

/** Whether the quote at `i` opens a string: only a string prefix (`r`, `b`, `f`, `rb`, ...) may touch it on the left. */
function opensString(line: string, i: number): boolean {
  const before = line.slice(0, i);
  const prefix = PREFIX.exec(before)![0];
  const lead = before.slice(0, before.length - prefix.length);
  return lead.length === 0 || !IDENT.test(lead[lead.length - 1]!);
}

/**
 * Finds the comment of every line of `code` (index 0 is line 1); `undefined` for a line without one. A line that
 * starts inside a multi-line string never has a whole-line comment.
 */
export function findComments(code: string): (LineComment | undefined)[] {
  const out: (LineComment | undefined)[] = [];
  let open: OpenString | undefined;
  for (const line of code.split('\n')) {
    const startedInString = open !== undefined;
    let found: LineComment | undefined;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (open) {
        if (c === '\\') i++;
        else if (open.triple ? line.startsWith(open.quote.repeat(3), i) : c === open.quote) {
          if (open.triple) i += 2;
          open = undefined;
        }
      } else if (c === '#') {
        found = { column: i, wholeLine: !startedInString && line.slice(0, i).trim() === '' };
        break;
      } else if ((c === '"' || c === "'") && opensString(line, i)) {
        const triple = line.startsWith(c.repeat(3), i);
        open = { quote: c, triple };
        if (triple) i += 2;
      }
    }
    // A single-quoted string ends with its line (unless the line ends in a backslash, handled by the skip above).
    if (open && !open.triple && !line.endsWith('\\')) open = undefined;
    out.push(found);
  }
  return out;
}
