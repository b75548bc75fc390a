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
  for (const [name, value] of Object.entries(attributes))
    if (value !== undefined) properties[find(svgSchema, name).property] = String(value);
  return { type: 'element', tagName, properties, children };
}

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

function writeSvg(node: ElementContent, out: string[]): void {
  if (node.type === 'text') {
    out.push(escapeXml(node.value));
    return;
  }
  if (node.type !== 'element') return;
  out.push('<', node.tagName);
  for (const prop in node.properties) {
    const value = node.properties[prop];
    if (value === undefined || value === null || value === false) continue;
    const v = Array.isArray(value) ? value.join(' ') : value === true ? '' : String(value);
    out.push(' ', attributeName(prop), '="', escapeXml(v, true), '"');
  }
  if (node.children.length === 0 && !NEVER_SELF_CLOSED.has(node.tagName)) {
    out.push('/>');
    return;
  }
  out.push('>');
  for (const c of node.children) writeSvg(c, out);
  out.push('</', node.tagName, '>');
}

/** The bytes of SVG elements: every attribute double-quoted, empty drawing elements self-closed, text escaped. */
export function svgBytes(nodes: ElementContent | ElementContent[]): string {
  const out: string[] = [];
  for (const n of Array.isArray(nodes) ? nodes : [nodes]) writeSvg(n, out);
  return out.join('');
}

/** Text already written (hast-util-to-html passes `raw` nodes through with `allowDangerousHtml`). */
const raw = (value: string): Nodes => ({ type: 'raw', value }) as unknown as Nodes;

/**
 * What hast-util-to-html writes for `htmlBytes`: SVG elements as `svgBytes` writes them, text escaped by `escapeXml`,
 * and newlines inside <pre> as character references, so that the HTML has no blank line (Markdown hosts that splice
 * it in as an HTML block, Sätteri and CommonMark, end the block at the first blank line).
 */
function prepared(node: Nodes, inPre: boolean): Nodes {
  if (node.type === 'text') return raw(inPre ? escapeXml(node.value).replace(/\n/g, '&#10;') : escapeXml(node.value));
  if (node.type === 'element' && node.tagName === 'svg') return raw(svgBytes(node));
  if (node.type === 'element' && (node.tagName === 'script' || node.tagName === 'style')) return node;
  if (node.type !== 'element' && node.type !== 'root') return node;
  const pre = inPre || (node.type === 'element' && node.tagName === 'pre');
  return { ...node, children: node.children.map((c) => prepared(c, pre)) } as Nodes;
}

/** The HTML of a figure (or any memtrace tree) as a host that splices in raw HTML gets it. */
export function htmlBytes(tree: Nodes): string {
  return toHtml(prepared(tree, false), { allowDangerousHtml: true });
}
