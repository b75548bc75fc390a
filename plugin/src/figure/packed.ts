/**
 * A figure as the cache keeps it and a page places it: each SVG keeps its own element (the attributes the page's
 * markup reads and sets, and its `<title>` and `<desc>`), but what it draws is one `raw` node of bytes that
 * `svgBytes` wrote as soon as the step was drawn (render's `packed`), on the thread that drew it. The cache and the
 * build's main thread then hold, parse and write strings, not thousands of small elements per figure.
 *
 * Ids in the bytes start with the prefix the figure was drawn with. A page that needs another prefix (a block shown
 * twice on one page) gets them renamed by {@link renameIds}, in attribute values only, never in a program's text.
 * A host that takes the figure as a tree rather than HTML gets the drawings back as elements ({@link unpacked}).
 */
import type { Element, ElementContent, Root } from './hast.ts';
import { readSvgBytes, svgBytes } from './hast.ts';

/** Markup already written: hast-util-to-html passes it through (`allowDangerousHtml`), and so does `svgBytes`. */
export interface Raw {
  type: 'raw';
  value: string;
}

const raw = (value: string): ElementContent => ({ type: 'raw', value }) as unknown as ElementContent;

/** The bytes of a raw node; undefined for any other node. */
export const rawValue = (node: { type: string }): string | undefined =>
  node.type === 'raw' ? (node as Raw).value : undefined;

/** Children a page's markup reads by element: a diagram's accessible name and description. */
const NAMED = new Set(['title', 'desc']);

/** The SVG element with each run of its children but `<title>` and `<desc>` written as one raw node. */
export function packSvg(element: Element): Element {
  const children: ElementContent[] = [];
  let run: ElementContent[] = [];
  const flush = () => {
    if (run.length > 0) children.push(raw(svgBytes(run)));
    run = [];
  };
  for (const c of element.children) {
    if (c.type === 'element' && NAMED.has(c.tagName)) {
      flush();
      children.push(c);
    } else run.push(c);
  }
  flush();
  return { ...element, children };
}

/** The properties of an element that hold an id or a reference to one. */
const ID_PROPERTIES = ['id', 'href', 'ariaLabelledBy', 'ariaDescribedBy', 'markerEnd'];

/**
 * A tag in written SVG: text never holds `<` (svgBytes escapes it), and attribute values are double-quoted without
 * a `"` inside, so every match is a whole tag, never part of a program's text.
 */
const TAG = /<[A-Za-z][^\s/>]*(?:\s+[^\s=/>]+="[^"]*")*\s*\/?>/g;

/** An id, or a reference to one, at the start of an attribute value (the renderer writes one id per attribute). */
const idIn = (from: string) => new RegExp(`(="|="#|="url\\(#)${from.replace(/[^\w]/g, '\\$&')}`, 'g');

/**
 * `node` with every id that starts with `from` (and every reference to one) starting with `to` instead: in the
 * properties of elements, and in the attribute values of raw bytes.
 */
export function renameIds<T extends ElementContent>(node: T, from: string, to: string): T {
  if (from === to) return node;
  const inTags = idIn(from);
  const rename = (n: ElementContent): ElementContent => {
    const bytes = rawValue(n);
    if (bytes !== undefined)
      return raw(bytes.replace(TAG, (tag) => tag.replace(inTags, (_, before: string) => `${before}${to}`)));
    if (n.type !== 'element') return n;
    const properties = { ...n.properties };
    for (const name of ID_PROPERTIES) {
      const v = properties[name];
      if (typeof v === 'string' && v.replace(/^(#|url\(#)/, '').startsWith(from))
        properties[name] = v.replace(from, to);
    }
    return { ...n, properties, children: n.children.map(rename) };
  };
  return rename(node) as T;
}

/** The ids that raw bytes point at (`href="#id"`, `url(#id)`), from attribute values only. */
export function referencedInRaw(bytes: string, into: Set<string>): void {
  // An attribute value starts at `="`, which text never holds (svgBytes writes `"` there as `&quot;`).
  for (const [, value] of bytes.matchAll(/="([^"]*#[^"]*)"/g))
    for (const m of value!.matchAll(/#([\w-]+)/g)) into.add(m[1]!);
}

/**
 * `node` with every raw node read back into elements (hast.ts `readSvgBytes`): for hosts that take the figure as a
 * hast tree and turn it into something other than HTML (MDX into JSX, a unified pipeline without
 * `allowDangerousHtml`), where a raw node would be refused or dropped.
 */
export function unpacked<T extends ElementContent | Root>(node: T): T {
  if (node.type !== 'element' && node.type !== 'root') return node;
  if (!node.children.some((c) => rawValue(c) !== undefined || c.type === 'element')) return node;
  const children = node.children.flatMap((c) => {
    const bytes = rawValue(c);
    return bytes === undefined ? [c.type === 'element' ? unpacked(c) : c] : readSvgBytes(bytes);
  });
  return { ...node, children } as T;
}
