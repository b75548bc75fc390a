/**
 * The inline Markdown of a note: code spans, emphasis, strong and links (http, https or relative), nothing else.
 * Any other character is text, so `<script>` in a note is shown as those eight characters: no raw HTML ever
 * reaches the page. A hand-written tokenizer, because a note is a sentence or two, never a block of Markdown: a
 * note starting with `1.` or `#` stays a sentence, not a list or a heading.
 */
import type { ElementContent } from 'hast';
import { h } from 'hastscript';

/** A parsed piece of a note. */
export type InlineNode =
  | { type: 'text'; value: string }
  | { type: 'code'; value: string }
  | { type: 'emphasis' | 'strong'; children: InlineNode[] }
  | { type: 'link'; url: string; children: InlineNode[] };

/** A parsed note, with what in it could not be kept (an unsafe link, shown as its text). */
export interface ParsedInline {
  nodes: InlineNode[];
  problems: string[];
}

const PUNCTUATION = /[!-/:-@[-`{-~]/;
const isSpace = (c: string | undefined) => c === undefined || /\s/.test(c);
const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

/** Whether a link target may be used: http(s) or relative; no other scheme, no whitespace or control characters. */
export function isSafeUrl(url: string): boolean {
  if (url === '' || /[\u0000-\u0020\u007f-\u009f]/.test(url)) return false;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  return scheme === null || /^https?$/i.test(scheme[1]!);
}

/** Length of the run of `c` starting at `i`. */
function runLength(src: string, i: number, c: string): number {
  let n = 0;
  while (src[i + n] === c) n++;
  return n;
}

/** The end of the code span opened at `i`, or -1: the next run of exactly as many backticks. */
function codeSpanEnd(src: string, i: number, end: number): { close: number; ticks: number } | undefined {
  const ticks = runLength(src, i, '`');
  for (let j = i + ticks; j < end; ) {
    if (src[j] !== '`') {
      j++;
      continue;
    }
    const n = runLength(src, j, '`');
    if (n === ticks) return { close: j, ticks };
    j += n;
  }
  return undefined;
}

/** Index just past whatever starts at `j` that emphasis may not end inside: a code span or an escape. */
function skipAtom(src: string, j: number, end: number): number {
  if (src[j] === '\\') return j + 2;
  if (src[j] === '`') {
    const span = codeSpanEnd(src, j, end);
    return span ? span.close + span.ticks : j + runLength(src, j, '`');
  }
  return j + 1;
}

/** Where the emphasis (`size` 1) or strong (`size` 2) opened at `i` with `c` closes, or -1. */
function findCloser(src: string, from: number, end: number, c: string, size: number): number {
  for (let j = from; j < end; ) {
    if (src[j] !== c) {
      j = skipAtom(src, j, end);
      continue;
    }
    const n = runLength(src, j, c);
    const closes = j > from && !isSpace(src[j - 1]) && (c === '*' || !isWordChar(src[j + n]));
    if (closes && (size === 2 ? n >= 2 : n === 1)) return j;
    j += n;
  }
  return -1;
}

/** The `)` that closes a link's destination starting at `from` (parentheses inside it balanced), or -1. */
function urlEnd(src: string, from: number, end: number): number {
  let depth = 0;
  for (let j = from; j < end; j++) {
    const c = src[j]!;
    if (c === '\\') j++;
    else if (c === '(') depth++;
    else if (c === ')' && depth-- === 0) return j;
  }
  return -1;
}

/** `[label](url)` at `i`: the label's end, the url and the index after `)`; undefined when it is not a link. */
function linkAt(src: string, i: number, end: number): { labelEnd: number; url: string; next: number } | undefined {
  let depth = 0;
  for (let j = i; j < end; j = skipAtom(src, j, end)) {
    if (src[j] === '[') depth++;
    else if (src[j] === ']' && --depth === 0) {
      if (src[j + 1] !== '(') return undefined;
      const close = urlEnd(src, j + 2, end);
      return close < 0 ? undefined : { labelEnd: j, url: src.slice(j + 2, close).trim(), next: close + 1 };
    }
  }
  return undefined;
}

function parseRange(src: string, start: number, end: number, inLink: boolean, problems: string[]): InlineNode[] {
  const out: InlineNode[] = [];
  const text = (value: string) => {
    const last = out[out.length - 1];
    if (last?.type === 'text') last.value += value;
    else out.push({ type: 'text', value });
  };
  let i = start;
  while (i < end) {
    const c = src[i]!;
    if (c === '\\' && i + 1 < end && PUNCTUATION.test(src[i + 1]!)) {
      text(src[i + 1]!);
      i += 2;
    } else if (c === '`') {
      const span = codeSpanEnd(src, i, end);
      if (!span) {
        const n = runLength(src, i, '`');
        text(src.slice(i, i + n));
        i += n;
        continue;
      }
      let value = src.slice(i + span.ticks, span.close);
      if (value.length > 2 && value.startsWith(' ') && value.endsWith(' ') && value.trim() !== '')
        value = value.slice(1, -1);
      out.push({ type: 'code', value });
      i = span.close + span.ticks;
    } else if (c === '[' && !inLink && linkAt(src, i, end)) {
      const link = linkAt(src, i, end)!;
      const children = parseRange(src, i + 1, link.labelEnd, true, problems);
      if (isSafeUrl(link.url)) out.push({ type: 'link', url: link.url, children });
      else {
        problems.push(
          `the link to \`${link.url}\` is shown as text: links may go to http, https or relative addresses only`,
        );
        for (const child of children)
          if (child.type === 'text') text(child.value);
          else out.push(child);
      }
      i = link.next;
    } else if (
      (c === '*' || c === '_') &&
      !isSpace(src[i + runLength(src, i, c)]) &&
      (c === '*' || !isWordChar(src[i - 1]))
    ) {
      const n = runLength(src, i, c);
      const size = n >= 2 ? 2 : 1;
      let close = findCloser(src, i + size, end, c, size);
      let used = size;
      if (close < 0 && size === 2) close = findCloser(src, (used = 1) + i, end, c, 1);
      if (close < 0) {
        text(src.slice(i, i + n));
        i += n;
        continue;
      }
      if (used === 1 && n >= 2) text(c), i++; // `**a*`: one star is text, the other opens the emphasis.
      const from = i + used;
      out.push({ type: used === 2 ? 'strong' : 'emphasis', children: parseRange(src, from, close, inLink, problems) });
      i = close + used;
    } else {
      text(c);
      i++;
    }
  }
  return out;
}

/** Parses a note's inline Markdown. Never fails: what is not Markdown is text. */
export function parseInline(markdown: string): ParsedInline {
  const problems: string[] = [];
  const src = markdown.replace(/\s*\n\s*/g, ' ');
  return { nodes: parseRange(src, 0, src.length, false, problems), problems };
}

function toHast(nodes: InlineNode[]): ElementContent[] {
  return nodes.map((node): ElementContent => {
    switch (node.type) {
      case 'text':
        return { type: 'text', value: node.value };
      case 'code':
        return h('code', node.value);
      case 'emphasis':
        return h('em', toHast(node.children));
      case 'strong':
        return h('strong', toHast(node.children));
      case 'link':
        return h('a', { href: node.url }, toHast(node.children));
    }
  });
}

/** A note as hast phrasing content (text, `code`, `em`, `strong`, `a`), to put inside the figure's note element. */
export function noteToHast(markdown: string): ElementContent[] {
  return toHast(parseInline(markdown).nodes);
}

function toText(nodes: InlineNode[]): string {
  return nodes.map((n) => (n.type === 'text' || n.type === 'code' ? n.value : toText(n.children))).join('');
}

/**
 * A note as plain text: what it says without its Markdown (code spans keep their text, links their label). For
 * the text version, the SVG's `<desc>` and the stepper's aria-live announcement.
 */
export function noteText(markdown: string): string {
  return toText(parseInline(markdown).nodes);
}
