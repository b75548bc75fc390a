/**
 * Drawing the SVG of one step from placed fragments, as hast SVG elements (svgBytes in figure/hast.ts writes them):
 * compact, colours as custom properties.
 */
import { svgBytes, svgElement as el, text as textNode, type Element, type ElementContent } from '../figure/hast.ts';
import { FONT_STACK } from './font.ts';
import { FS } from './sizes.ts';
import type { Item } from './sheet.ts';
import { paint, paintOfPlaceholder } from './theme.ts';

const n = (v: number) => String(Math.round(v * 10) / 10);

/** A rect in tenths of a pixel (the precision every coordinate is written with), so that sums are exact. */
interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
  /** Its paint, as the attributes of the <g> it is drawn in. */
  paint: Record<string, string>;
  /** What it paints over, when more than itself (a stroke's outer half). */
  over?: { x: number; y: number; w: number; h: number };
}

type Box = { x: number; y: number; w: number; h: number };

const tenths = (v: number) => Math.round(v * 10);
const t = (v: number) => String(v / 10);
const rectOf = (x: number, y: number, w: number, h: number, paint: Record<string, string>): Rect => {
  const x0 = tenths(x);
  const y0 = tenths(y);
  return { x: x0, y: y0, w: tenths(x + w) - x0, h: tenths(y + h) - y0, paint };
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
  private texts = new Map<string, Element[]>();
  /** Shared drawings placed with <use>: their rects go over this layer's rects, their text over its overlays. */
  private under: Element[] = [];
  private over: Element[] = [];

  use(d: { id: string; under: ElementContent[]; over: ElementContent[] }, x: number, y: number): void {
    const at = { x: x ? n(x) : undefined, y: y ? n(y) : undefined };
    if (d.under.length) this.under.push(el('use', { href: `#${d.id}u`, ...at }));
    if (d.over.length) this.over.push(el('use', { href: `#${d.id}o`, ...at }));
  }

  /** What goes under the overlays of a layer it is placed in (rects), and what goes over them. */
  parts(): { under: ElementContent[]; over: ElementContent[] } {
    return {
      under: [...packRects(this.rects), ...this.under],
      over: [...packRects(this.overlays), ...this.over, ...this.textGroups()],
    };
  }

  /** Places a fragment's items; `remap` swaps colour roles (placeholders) for this placement only. */
  add(items: Item[], dx: number, dy: number, remap?: Map<string, string>): void {
    for (const it of items) {
      const fill = paintOfPlaceholder(remap?.get(it.fill) ?? it.fill);
      if (it.t === 'r') this.rect(it.x + dx, it.y + dy, it.w, it.h, fill);
      else this.text(it.x + dx, it.y + dy, fill, it.size, it.s);
    }
  }

  rect(x: number, y: number, w: number, h: number, fill: string): void {
    this.rects.push(rectOf(x, y, w, h, { fill }));
  }

  /** A tint over a box, drawn above every rect. */
  tint(b: Box, fill: string): void {
    this.overlays.push(rectOf(b.x, b.y, b.w, b.h, { fill }));
  }

  /** An outline drawn inside a box's edge, above every rect. */
  outline(b: Box, stroke: string, width: number, dash = false): void {
    const i = width / 2;
    const paint: Record<string, string> = {
      fill: 'none',
      stroke,
      'stroke-width': String(width),
      ...(dash ? { 'stroke-dasharray': '4 3' } : {}),
    };
    const r = rectOf(b.x + i, b.y + i, b.w - width, b.h - width, paint);
    this.overlays.push({ ...r, over: rectOf(b.x, b.y, b.w, b.h, {}) });
  }

  /** A line of text (laid out by satori, or the renderer's own: a mark, a label). */
  text(x: number, y: number, fill: string, size: number, s: string): void {
    const k = `${fill}|${size}`;
    let list = this.texts.get(k);
    if (!list) this.texts.set(k, (list = []));
    const keep = this.keepSpaces && /^ | {2}| $/.test(s) ? 'preserve' : undefined;
    list.push(el('text', { x: n(x), y: n(y), 'xml:space': keep }, [textNode(s)]));
  }

  /** Everything drawn, in paint order. */
  nodes(): ElementContent[] {
    return [...packRects(this.rects), ...this.under, ...packRects(this.overlays), ...this.over, ...this.textGroups()];
  }

  /** The bytes of everything drawn. */
  toString(): string {
    return svgBytes(this.nodes());
  }

  private textGroups(): Element[] {
    const out: Element[] = [];
    for (const [k, list] of this.texts) {
      const [fill, size] = k.split('|');
      out.push(el('g', { fill: fill!, 'font-size': Number(size) !== FS ? size : undefined }, list));
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
function packRects(rects: Rect[]): Element[] {
  const level: number[] = [];
  // Rects by the 64 px squares they cover, to find the earlier ones a rect overlaps without looking at all of them.
  const grid = new Map<number, number[]>();
  const area = rects.map((r) => r.over ?? r);
  area.forEach((r, i) => {
    let l = 0;
    const cells: number[] = [];
    for (let bx = Math.floor(r.x / BUCKET); bx <= Math.floor((r.x + r.w - 1) / BUCKET); bx++) {
      for (let by = Math.floor(r.y / BUCKET); by <= Math.floor((r.y + r.h - 1) / BUCKET); by++)
        cells.push(bx * 65536 + by);
    }
    for (const c of cells) {
      for (const j of grid.get(c) ?? []) {
        const o = area[j]!;
        if (level[j]! >= l && o.x < r.x + r.w && r.x < o.x + o.w && o.y < r.y + r.h && r.y < o.y + o.h)
          l = level[j]! + 1;
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
    const k = `${level[i]}|${JSON.stringify(rects[i]!.paint)}`;
    const g = groups.get(k);
    if (g) g.push(rects[i]!);
    else groups.set(k, [rects[i]!]);
  }
  const out: Element[] = [];
  for (const g of groups.values()) {
    const [first, ...rest] = g;
    const children = [el('rect', { x: t(first!.x), y: t(first!.y), width: t(first!.w), height: t(first!.h) })];
    if (rest.length) {
      let d = '';
      let at = first!;
      for (const r of rest) {
        d += `${d ? 'm' : 'M'}${t(d ? r.x - at.x : r.x)} ${t(d ? r.y - at.y : r.y)}h${t(r.w)}v${t(r.h)}h${t(-r.w)}z`;
        at = r;
      }
      children.push(el('path', { d }));
    }
    out.push(el('g', first!.paint, children));
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
  body: ElementContent[];
  /** For an SVG element of an HTML page: no xmlns. */
  inHtml?: boolean;
  /** The step's description (the author's note, as plain text), as `<desc>` with this id. */
  desc?: { id: string; text: string };
}

/** The arrowhead every arrow ends with. */
export const arrowMarker = (id: string): Element =>
  el(
    'marker',
    {
      id,
      viewBox: '0 0 8 8',
      refX: '7',
      refY: '4',
      markerWidth: '8',
      markerHeight: '8',
      markerUnits: 'userSpaceOnUse',
      orient: 'auto',
    },
    [el('path', { d: 'M0,0L8,4L0,8z', fill: paint('arrow') })],
  );

/** A step's <svg>: sized, titled, on the figure's background. */
export function svgDocument(p: SvgParts): Element {
  const attributes = {
    xmlns: p.inHtml ? undefined : 'http://www.w3.org/2000/svg',
    width: String(p.width),
    height: String(p.height),
    viewBox: `0 0 ${p.width} ${p.height}`,
    role: 'img',
    'aria-labelledby': p.titleId,
    'aria-describedby': p.desc?.id,
    'font-family': FONT_STACK,
    'font-size': String(FS),
    'xml:space': 'preserve',
  };
  return el('svg', attributes, [
    el('title', { id: p.titleId }, [textNode(p.title)]),
    ...(p.desc ? [el('desc', { id: p.desc.id }, [textNode(p.desc.text)])] : []),
    ...(p.marker ? [el('defs', {}, [arrowMarker(p.marker)])] : []),
    el('rect', { width: String(p.width), height: String(p.height), fill: paint('bg') }),
    ...p.body,
  ]);
}

/** A block arrow pointing right, its tip at (x, y); `id` names it for <use>. */
export function lineArrow(x: number, y: number, solid: boolean, id?: string): Element {
  const points = [
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
    ? el('polygon', { id, points, fill: paint('accent') })
    : el('polygon', {
        id,
        points,
        fill: 'none',
        stroke: paint('prev'),
        'stroke-width': '1.5',
        'stroke-linejoin': 'round',
      });
}
