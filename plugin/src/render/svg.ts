/** Writing the SVG of one step from placed fragments: compact, colours as custom properties, every string escaped. */
import { FONT_STACK } from './font.ts';
import { FS } from './sizes.ts';
import type { Item } from './sheet.ts';
import { paint, paintOfPlaceholder } from './theme.ts';

export const escapeXml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const n = (v: number) => String(Math.round(v * 10) / 10);

/** A rect in tenths of a pixel (the precision every coordinate is written with), so that sums are exact. */
interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
  /** Its paint, as the attributes of the <g> it is drawn in. */
  style: string;
  /** What it paints over, when more than itself (a stroke's outer half). */
  over?: { x: number; y: number; w: number; h: number };
}

type Box = { x: number; y: number; w: number; h: number };

const tenths = (v: number) => Math.round(v * 10);
const t = (v: number) => String(v / 10);
const rectOf = (x: number, y: number, w: number, h: number, style: string): Rect => {
  const x0 = tenths(x);
  const y0 = tenths(y);
  return { x: x0, y: y0, w: tenths(x + w) - x0, h: tenths(y + h) - y0, style };
};

/**
 * Collects drawing in paint order: rects (backgrounds), then overlays (marks drawn over cells), then text grouped by
 * colour and size.
 */
export class Layer {
  /**
   * Mark every text whose spaces matter with xml:space: a text drawn through <use> is styled on its own, out of
   * reach of the page's `white-space: pre` (Chromium ignores both the rule and inherited values there).
   */
  private readonly keepSpaces: boolean;
  constructor(keepSpaces = false) {
    this.keepSpaces = keepSpaces;
  }
  private rects: Rect[] = [];
  private overlays: Rect[] = [];
  private texts = new Map<string, string[]>();
  /** Shared drawings placed with <use>: their rects go over this layer's rects, their text over its overlays. */
  private under = '';
  private over = '';

  use(d: { id: string; under: string; over: string }, x: number, y: number): void {
    const at = `${x ? ` x="${n(x)}"` : ''}${y ? ` y="${n(y)}"` : ''}`;
    if (d.under) this.under += `<use href="#${d.id}u"${at}/>`;
    if (d.over) this.over += `<use href="#${d.id}o"${at}/>`;
  }

  /** What goes under the overlays of a layer it is placed in (rects), and what goes over them. */
  parts(): { under: string; over: string } {
    return { under: packRects(this.rects) + this.under, over: packRects(this.overlays) + this.over + this.textGroups() };
  }

  /** Places a fragment's items; `remap` swaps colour roles (placeholders) for this placement only. */
  add(items: Item[], dx: number, dy: number, remap?: Map<string, string>): void {
    for (const it of items) {
      const fill = paintOfPlaceholder(remap?.get(it.fill) ?? it.fill);
      if (it.t === 'r') this.rect(it.x + dx, it.y + dy, it.w, it.h, fill);
      // satori already escaped the text.
      else this.rawText(it.x + dx, it.y + dy, fill, it.size, it.s);
    }
  }

  rect(x: number, y: number, w: number, h: number, fill: string): void {
    this.rects.push(rectOf(x, y, w, h, `fill="${fill}"`));
  }

  /** A tint over a box, drawn above every rect. */
  tint(b: Box, fill: string): void {
    this.overlays.push(rectOf(b.x, b.y, b.w, b.h, `fill="${fill}"`));
  }

  /** An outline drawn inside a box's edge, above every rect. */
  outline(b: Box, stroke: string, width: number, dash = false): void {
    const i = width / 2;
    const r = rectOf(b.x + i, b.y + i, b.w - width, b.h - width, `fill="none" stroke="${stroke}" stroke-width="${width}"${dash ? ' stroke-dasharray="4 3"' : ''}`);
    this.overlays.push({ ...r, over: rectOf(b.x, b.y, b.w, b.h, '') });
  }

  /** A text of the renderer's own (a mark or a label); escaped here. */
  text(x: number, y: number, fill: string, size: number, s: string): void {
    this.rawText(x, y, fill, size, escapeXml(s));
  }

  private rawText(x: number, y: number, fill: string, size: number, escaped: string): void {
    const k = `${fill}|${size}`;
    let list = this.texts.get(k);
    if (!list) this.texts.set(k, (list = []));
    const keep = this.keepSpaces && /^ | {2}| $/.test(escaped) ? ' xml:space="preserve"' : '';
    list.push(`<text x="${n(x)}" y="${n(y)}"${keep}>${escaped}</text>`);
  }

  toString(): string {
    return packRects(this.rects) + this.under + packRects(this.overlays) + this.over + this.textGroups();
  }

  private textGroups(): string {
    let out = '';
    for (const [k, list] of this.texts) {
      const [fill, size] = k.split('|');
      out += `<g fill="${fill}"${Number(size) !== FS ? ` font-size="${size}"` : ''}>${list.join('')}</g>`;
    }
    return out;
  }
}

const BUCKET = 640;

/**
 * Rects of one paint become one <g> whose first rect is a <rect> and the rest one path of relative moves
 * (`m0 26h38v24h-38z`): a column of equal cells is the same few bytes over and over wherever it sits, so gzip
 * finds each row in the row before and a shifted frame in the step before, and a step stays small enough (under
 * gzip's 32 KB window) for the next step to find it at all. Paints are grouped by layer: a rect's layer is one
 * above every earlier rect it overlaps, so whatever is painted over something still is, and rects that do not
 * overlap (two frames, two objects) are free to share a path.
 */
function packRects(rects: Rect[]): string {
  const level: number[] = [];
  // Rects by the 64 px squares they cover, to find the earlier ones a rect overlaps without looking at all of them.
  const grid = new Map<number, number[]>();
  const area = rects.map((r) => r.over ?? r);
  area.forEach((r, i) => {
    let l = 0;
    const cells: number[] = [];
    for (let bx = Math.floor(r.x / BUCKET); bx <= Math.floor((r.x + r.w - 1) / BUCKET); bx++) {
      for (let by = Math.floor(r.y / BUCKET); by <= Math.floor((r.y + r.h - 1) / BUCKET); by++) cells.push(bx * 65536 + by);
    }
    for (const c of cells) {
      for (const j of grid.get(c) ?? []) {
        const o = area[j]!;
        if (level[j]! >= l && o.x < r.x + r.w && r.x < o.x + o.w && o.y < r.y + r.h && r.y < o.y + o.h) l = level[j]! + 1;
      }
    }
    level.push(l);
    for (const c of cells) {
      const list = grid.get(c);
      if (list) list.push(i);
      else grid.set(c, [i]);
    }
  });
  // Per layer, paints in order of first use; within a paint, paint order.
  const groups = new Map<string, Rect[]>();
  const order = rects.map((_, i) => i).sort((a, b) => level[a]! - level[b]! || a - b);
  for (const i of order) {
    const k = `${level[i]}|${rects[i]!.style}`;
    const g = groups.get(k);
    if (g) g.push(rects[i]!);
    else groups.set(k, [rects[i]!]);
  }
  let out = '';
  for (const g of groups.values()) {
    const [first, ...rest] = g;
    out += `<g ${first!.style}><rect x="${t(first!.x)}" y="${t(first!.y)}" width="${t(first!.w)}" height="${t(first!.h)}"/>`;
    if (rest.length) {
      let d = '';
      let at = first!;
      for (const r of rest) {
        d += `${d ? 'm' : 'M'}${t(d ? r.x - at.x : r.x)} ${t(d ? r.y - at.y : r.y)}h${t(r.w)}v${t(r.h)}h${t(-r.w)}z`;
        at = r;
      }
      out += `<path d="${d}"/>`;
    }
    out += '</g>';
  }
  return out;
}

export interface SvgParts {
  width: number;
  height: number;
  titleId: string;
  title: string;
  /** The id of the arrowhead to define in this SVG; none when the page defines it once for the figure. */
  marker?: string;
  body: string;
  /** For an SVG element of an HTML page: no xmlns. */
  inHtml?: boolean;
}

export const arrowMarker = (id: string): string =>
  `<marker id="${id}" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto">` +
  `<path d="M0,0L8,4L0,8z" fill="${paint('arrow')}"/></marker>`;

export function svgDocument(p: SvgParts): string {
  return (
    `<svg${p.inHtml ? '' : ' xmlns="http://www.w3.org/2000/svg"'} width="${p.width}" height="${p.height}" viewBox="0 0 ${p.width} ${p.height}" ` +
    `role="img" aria-labelledby="${p.titleId}" font-family="${FONT_STACK}" font-size="${FS}" xml:space="preserve">` +
    `<title id="${p.titleId}">${escapeXml(p.title)}</title>` +
    (p.marker ? `<defs>${arrowMarker(p.marker)}</defs>` : '') +
    `<rect width="${p.width}" height="${p.height}" fill="${paint('bg')}"/>` +
    p.body +
    `</svg>`
  );
}

/** A block arrow pointing right, its tip at (x, y). */
export function lineArrow(x: number, y: number, solid: boolean): string {
  const pts = [
    [x - 15, y - 3],
    [x - 7, y - 3],
    [x - 7, y - 7],
    [x, y],
    [x - 7, y + 7],
    [x - 7, y + 3],
    [x - 15, y + 3],
  ]
    .map(([a, b]) => `${n(a!)},${n(b!)}`)
    .join(' ');
  return solid
    ? `<polygon points="${pts}" fill="${paint('accent')}"/>`
    : `<polygon points="${pts}" fill="none" stroke="${paint('prev')}" stroke-width="1.5" stroke-linejoin="round"/>`;
}
