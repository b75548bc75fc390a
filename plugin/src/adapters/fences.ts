/**
 * Fenced code blocks of a Markdown text, found line by line as CommonMark opens and closes them (backticks or tildes,
 * a closing fence at least as long as the opening one). A fence inside another fence is text, so a page that shows
 * a memtrace block as an example of the syntax keeps it. For hosts whose Markdown parser runs too late to wait for a
 * figure (markdown-it renders synchronously).
 */
export interface Fence {
  /** First word of the info string. */
  lang: string;
  /** The rest of the info string. */
  meta: string;
  code: string;
  /** 0-based lines of the opening and closing fence (the closing one is the last line when the fence is left open). */
  open: number;
  close: number;
  /** The opening fence's indentation, removed from the code's lines as CommonMark does. */
  indent: string;
}

const OPEN = /^([ \t]*)(`{3,}|~{3,})[ \t]*([^`]*?)[ \t]*$/;

export function findFences(markdown: string): Fence[] {
  const lines = markdown.split('\n');
  const fences: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = OPEN.exec(lines[i]!.replace(/\r$/, ''));
    if (!m) continue;
    const [, indent, marks, info] = m as unknown as [string, string, string, string];
    const closing = new RegExp(`^[ \\t]*${marks[0] === '`' ? '`' : '~'}{${marks.length},}[ \\t]*\\r?$`);
    let close = i + 1;
    while (close < lines.length && !closing.test(lines[close]!)) close++;
    const body = lines.slice(i + 1, close).map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()));
    const [lang = '', ...rest] = info.split(/\s+/);
    fences.push({
      lang,
      meta: rest.join(' '),
      code: body.join('\n').replace(/\r/g, ''),
      open: i,
      close: Math.min(close, lines.length - 1),
      indent,
    });
    i = close;
  }
  return fences;
}
