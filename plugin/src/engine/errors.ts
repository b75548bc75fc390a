/**
 * Errors located in the Markdown source. Every adapter (remark/vfile, Sätteri, Astro, CLI) reports the same object,
 * so an author always gets the file, line and column, and a short code frame.
 */
import type { Element } from 'hast';
import { h } from '../figure/hast.ts';

export interface SourceLocation {
  /** Markdown file path, when known. */
  file?: string;
  /** 1-based line in the Markdown file. */
  line: number;
  /** 1-based column in the Markdown file. */
  column: number;
}

/** A block that could not be turned into a figure, located in its Markdown file. */
export class MemtraceError extends Error {
  readonly location: SourceLocation | undefined;
  /** Short code frame around the location (lines of the Markdown source, with a caret). */
  readonly frame: string | undefined;
  /** A one-line reason, without the location. */
  readonly reason: string;
  /** What the author can do about it, when there is something to say beyond the reason. */
  readonly hint: string | undefined;

  constructor(reason: string, location?: SourceLocation, frame?: string, hint?: string) {
    const where = location ? `${location.file ?? '<markdown>'}:${location.line}:${location.column}: ` : '';
    super(`${where}${reason}${frame ? `\n\n${frame}` : ''}`);
    this.name = 'MemtraceError';
    this.reason = reason;
    this.location = location;
    this.frame = frame;
    this.hint = hint;
  }
}

/**
 * A code frame: the lines around `line` (1-based, in `code`) with numbers given relative to `firstLine`, and a caret
 * under `column`.
 */
export function codeFrame(code: string, line: number, column: number, firstLine = 1): string {
  const lines = code.split('\n');
  const from = Math.max(1, line - 2);
  const to = Math.min(lines.length, line + 1);
  const width = String(to + firstLine - 1).length;
  const out: string[] = [];
  for (let n = from; n <= to; n++) {
    const mark = n === line ? '>' : ' ';
    out.push(`${mark} ${String(n + firstLine - 1).padStart(width)} | ${lines[n - 1]}`);
    if (n === line) out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, column - 1))}^`);
  }
  return out.join('\n');
}

/** The panel shown in place of a figure by the dev server, so that the page still renders and the server keeps running. */
export function errorPanel(error: MemtraceError): Element {
  const where = error.location ? `${error.location.file ?? ''}:${error.location.line}:${error.location.column}` : '';
  const style =
    'border:2px solid #c62828;border-radius:6px;padding:.75rem 1rem;margin:1rem 0;' +
    'font:14px/1.4 ui-monospace,monospace;background:#fff5f5;color:#5c0000;white-space:pre-wrap;overflow:auto';
  return h('div', { class: 'memtrace-error', role: 'alert', style }, [
    h('strong', `memtrace: ${error.reason}`),
    ...(where ? [`\n${where}`] : []),
    ...(error.frame ? [`\n\n${error.frame}`] : []),
  ]);
}
