/**
 * The one way memtrace builds and writes markup. Figures are hast trees (built with hastscript's `h`), written by
 * hast-util-to-html; the diagrams inside them are SVG elements built with `svgElement`, whose bytes `svgBytes` writes
 * (compact, exactly as the fixtures hold them). `escapeXml` is the package's only escaper, and only `svgBytes` and
 * `htmlBytes` use it.
 */
import type { Element, ElementContent, Nodes, Properties, Root, RootContent } from 'hast';
import { h } from 'hastscript';
import { toHtml } from 'hast-util-to-html';
import { find, svg as svgSchema } from 'property-information';

export { h, toHtml };
export type { Element, ElementContent, Root, RootContent };

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text: in element content all five XML specials (as satori does, so that its text and the renderer's read
 * alike); in a double-quoted attribute value only what would end or confuse it (`&`, `<`, `"`).
 */
export const escapeXml = (text: string, inAttribute = false): string => {
  const specials = inAttribute ? /[&<"]/g : /[&<>"']/g;
  // Most text has nothing to escape: a search is cheaper than a replace that finds nothing.
  return text.search(specials) < 0 ? text : text.replace(specials, (c) => ESCAPES[c]!);
};

/**
 * An SVG element whose attribute values are kept verbatim (no list or number parsing, unlike `s`): attribute
 * names in, hast property names stored, so that any hast tool reads the element and `svgBytes` writes it back.
 */
export function svgElement(
  tagName: string,
  attributes: Record<string, string | number | undefined>,
  children: ElementContent[] = [],
): Element {
  const properties: Properties = {};
  for (const name in attributes) {
    const value = attributes[name];
    if (value !== undefined) properties[propertyName(name)] = String(value);
  }
  return { type: 'element', tagName, properties, children };
}

/** hast property names by SVG attribute name, looked up once each. */
const propertyNames = new Map<string, string>();
const propertyName = (attribute: string): string => {
  let name = propertyNames.get(attribute);
  if (name === undefined) propertyNames.set(attribute, (name = find(svgSchema, attribute).property));
  return name;
};

/** A text node. */
export const text = (value: string): ElementContent => ({ type: 'text', value });

/** SVG attribute names by hast property name, looked up once each. */
const attributeNames = new Map<string, string>();
const attributeName = (prop: string): string => {
  let name = attributeNames.get(prop);
  if (name === undefined) attributeNames.set(prop, (name = find(svgSchema, prop).attribute));
  return name;
};

/** Elements written open and closed even when empty. */
const NEVER_SELF_CLOSED = new Set(['text', 'title', 'g', 'defs', 'marker', 'svg']);

/** One node's bytes. Built by `+=`, which V8 keeps as a rope and flattens once: faster here than pieces joined. */
function writeSvg(node: ElementContent): string {
  if (node.type === 'text') return escapeXml(node.value);
  // Bytes written before (figure/packed.ts), as they were written.
  if ((node.type as string) === 'raw') return (node as unknown as { value: string }).value;
  if (node.type !== 'element') return '';
  let out = `<${node.tagName}`;
  for (const prop in node.properties) {
    const value = node.properties[prop];
    if (value === undefined || value === null || value === false) continue;
    const v = Array.isArray(value) ? value.join(' ') : value === true ? '' : String(value);
    out += ` ${attributeName(prop)}="${escapeXml(v, true)}"`;
  }
  if (node.children.length === 0 && !NEVER_SELF_CLOSED.has(node.tagName)) return `${out}/>`;
  out += '>';
  for (const c of node.children) out += writeSvg(c);
  return `${out}</${node.tagName}>`;
}

/** The bytes of SVG elements: every attribute double-quoted, empty drawing elements self-closed, text escaped. */
export function svgBytes(nodes: ElementContent | ElementContent[]): string {
  let out = '';
  for (const n of Array.isArray(nodes) ? nodes : [nodes]) out += writeSvg(n);
  return out;
}

const UNESCAPES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const unescapeXml = (text: string): string =>
  text.includes('&') ? text.replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => UNESCAPES[e]!) : text;

/** A closing tag, an opening (or empty) tag with its attributes, or text, as `writeSvg` writes them. */
const SVG_TOKEN = /<\/[^>]+>|<([A-Za-z][^\s/>]*)((?:\s+[^\s=/>]+="[^"]*")*)\s*(\/?)>|[^<]+/g;
const SVG_ATTRIBUTE = /([^\s=]+)="([^"]*)"/g;

/**
 * The elements that `svgBytes` wrote, read back: the inverse of {@link svgBytes} for its own output (every attribute
 * double-quoted, text escaped by `escapeXml`), with attribute values as strings, as `svgElement` keeps them.
 */
export function readSvgBytes(bytes: string): ElementContent[] {
  const top: ElementContent[] = [];
  const open: Element[] = [];
  const into = () => open.at(-1)?.children ?? top;
  for (const [token, tagName, attributes, empty] of bytes.matchAll(SVG_TOKEN)) {
    if (token.startsWith('</')) open.pop();
    else if (tagName !== undefined) {
      const properties: Properties = {};
      for (const [, name, value] of attributes!.matchAll(SVG_ATTRIBUTE))
        properties[propertyName(name!)] = unescapeXml(value!);
      const element: Element = { type: 'element', tagName, properties, children: [] };
      into().push(element);
      if (!empty) open.push(element);
    } else into().push(text(unescapeXml(token)));
  }
  return top;
}

/** Text already written (hast-util-to-html passes `raw` nodes through with `allowDangerousHtml`). */
const raw = (value: string): Nodes => ({ type: 'raw', value }) as unknown as Nodes;

/**
 * The bytes of elements already written, for calls of `htmlBytes` that write the same elements (a figure and the step
 * page of all its steps, figure/windows.ts), none of them changed in between: every SVG element written is added; any
 * other element a caller adds (with the pieces `htmlParts` gives for it) is written as those.
 */
export type Written = WeakMap<Element, string | readonly string[]>;

/** Elements that a tree holds more than once, each time the same: written once, copied where they recur. */
const SHARED = new WeakSet<Element>();

/**
 * Marks `element` as one that a tree may hold more than once (one object, in several places), unchanged from its
 * first writing on, and outside any `<pre>`: `htmlBytes` writes it once and copies its HTML.
 */
export function shared(element: Element): Element {
  SHARED.add(element);
  return element;
}

/**
 * Where an SVG's bytes, or a long text's, go in what hast-util-to-html writes: they are put in once it is done, so
 * that each of their bytes is copied once into the HTML rather than once per element around them (it joins each
 * element's content into a string of its own). The marks are counted before they are replaced, so that a NUL in
 * the text itself is never taken for one (see {@link htmlBytes}).
 */
const MARK = '\u0000mt\u0000';

/** Text at least this long is put in after hast-util-to-html is done; shorter text is cheaper to copy than to mark. */
const LONG_TEXT = 64;

/** The written bytes of a leaf (whole or in pieces): in place, or (given `later`) kept there and marked in place. */
const leaf = (bytes: string | readonly string[], later: (string | readonly string[])[] | undefined): Nodes => {
  if (!later) return raw(typeof bytes === 'string' ? bytes : bytes.join(''));
  if (typeof bytes === 'string' && bytes.length < LONG_TEXT) return raw(bytes);
  later.push(bytes);
  return raw(MARK);
};

/**
 * What hast-util-to-html writes for `htmlBytes`: SVG elements as `svgBytes` writes them, text escaped by `escapeXml`,
 * and newlines inside <pre> as character references, so that the HTML has no blank line (Markdown hosts that splice
 * it in as an HTML block, Sätteri and CommonMark, end the block at the first blank line). Given `later`, long ones are
 * marked (see {@link MARK}).
 */
function prepared(node: Nodes, inPre: boolean, written: Written, later?: (string | readonly string[])[]): Nodes {
  if (node.type === 'text')
    return leaf(inPre ? escapeXml(node.value).replace(/\n/g, '&#10;') : escapeXml(node.value), later);
  // An SVG is written alike wherever it is, and callers add no element that is inside a <pre>.
  const known = node.type === 'element' ? written.get(node) : undefined;
  if (known !== undefined) return leaf(known, later);
  if (node.type === 'element' && node.tagName === 'svg') {
    const bytes = svgBytes(node);
    written.set(node, bytes);
    return leaf(bytes, later);
  }
  if (node.type === 'element' && SHARED.has(node)) {
    // A copy, not marked: written as any element is.
    const parts = htmlParts({ ...node }, written);
    written.set(node, parts);
    return leaf(parts, later);
  }
  if (node.type === 'element' && (node.tagName === 'script' || node.tagName === 'style')) return node;
  if (node.type !== 'element' && node.type !== 'root') return node;
  const pre = inPre || (node.type === 'element' && node.tagName === 'pre');
  return { ...node, children: node.children.map((c) => prepared(c, pre, written, later)) } as Nodes;
}

/**
 * The HTML of a figure (or any memtrace tree) as a host that splices in raw HTML gets it; `written` is shared by calls
 * that write the same elements.
 */
export const htmlBytes = (tree: Nodes, written?: Written): string => htmlParts(tree, written).join('');

/**
 * What {@link htmlBytes} writes, as UTF-8: for a page written to a file, which is encoded once, from its pieces, and
 * never held as one string.
 */
export function htmlUtf8(tree: Nodes, written?: Written): Uint8Array {
  const parts = htmlParts(tree, written);
  let size = 0;
  for (const p of parts) size += Buffer.byteLength(p);
  const bytes = Buffer.allocUnsafe(size);
  let at = 0;
  for (const p of parts) at += bytes.write(p, at);
  return bytes;
}

/** What {@link htmlBytes} writes, in pieces: joined once, by whoever writes the whole that holds them. */
export function htmlParts(tree: Nodes, written: Written = new WeakMap()): string[] {
  const later: (string | readonly string[])[] = [];
  const parts = toHtml(prepared(tree, false, written, later), { allowDangerousHtml: true }).split(MARK);
  // A mark that was not ours (a NUL in a program's text, say) would put bytes in the wrong place: written without marks.
  if (parts.length !== later.length + 1) return [toHtml(prepared(tree, false, written), { allowDangerousHtml: true })];
  const out: string[] = [parts[0]!];
  later.forEach((bytes, i) => {
    if (typeof bytes === 'string') out.push(bytes);
    else for (const b of bytes) out.push(b);
    out.push(parts[i + 1]!);
  });
  return out;
}
