/** How values read, in the picture (shortened) and in the text version (whole). */
import { isRef, type HeapObject, type Primitive, type Value } from '../trace/format.ts';

export const ELLIPSIS = '…';

/** Cuts to at most `max` characters, marking the cut. */
export function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  return s.slice(0, Math.max(0, max - 1)) + ELLIPSIS;
}

/**
 * A primitive as drawn in a cell of at most `max` characters. A string keeps its quotes around the ellipsis, so it
 * still reads as a string; one the tracer already cut (`fullLength`) always shows the ellipsis.
 */
export function primitiveLabel(p: Primitive, max: number): string {
  const r = p.repr;
  const cut = p.fullLength !== undefined;
  if (p.type === 'str' || p.type === 'bytes') {
    if (!cut && r.length <= max) return r;
    const prefix = p.type === 'bytes' ? 'b' : '';
    const quote = r[prefix.length] ?? "'";
    const body = r.slice(prefix.length + 1, !cut && r.endsWith(quote) ? -1 : undefined);
    const room = Math.max(1, max - prefix.length - 3);
    return prefix + quote + body.slice(0, room) + ELLIPSIS + quote;
  }
  return clip(r, max);
}

/** A primitive in the text version: whole, with a note when the tracer cut it. */
export function primitiveText(p: Primitive): string {
  return p.fullLength !== undefined ? `${p.repr}… (${p.fullLength} characters, shortened)` : p.repr;
}

/** Control characters would be invalid in SVG or invisible; show a replacement mark instead. */
export function sanitize(s: string): string {
  return s.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f\ufffe\uffff]/g, '\ufffd');
}

export function expandTabs(line: string, width = 4): string {
  if (!line.includes('\t')) return line;
  let out = '';
  for (const ch of line) {
    if (ch === '\t') out += ' '.repeat(width - (out.length % width));
    else out += ch;
  }
  return out;
}

/** The small label above an object's box. */
export function typeLabel(o: HeapObject): string {
  switch (o.kind) {
    case 'instance':
      return `${o.className} instance`;
    case 'class':
      return o.bases.length ? `${o.name} class (${o.bases.join(', ')})` : `${o.name} class`;
    case 'function':
      return 'function';
    case 'module':
      return 'module';
    case 'generator':
      return 'generator';
    default:
      return o.type;
  }
}

export const valueKey = (v: Value): string => (isRef(v) ? `@${v.ref}` : `${v.type}:${v.repr}:${v.fullLength ?? ''}`);
export const sameValue = (a: Value | undefined, b: Value | undefined): boolean =>
  a !== undefined && b !== undefined && valueKey(a) === valueKey(b);
