/** Writing the SVG of one step from placed fragments: compact, colours as custom properties, every string escaped. */
import { FONT_STACK } from './font.ts';
import { FS } from './fragments.ts';
import type { Item } from './sheet.ts';
import { paint, paintOfPlaceholder } from './theme.ts';

export const escapeXml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const n = (v: number) => String(Math.round(v * 10) / 10);

/**
 * Collects drawing in paint order: rects (backgrounds), then overlays (marks drawn over cells), then text grouped by
 * colour and size.
 */
export class Layer {
  private rects: string[] = [];
  private overlays: string[] = [];
  private texts = new Map<string, string[]>();
  private lastRectFill = '';

  /** Places a fragment's items; `remap` swaps colour roles (placeholders) for this placement only. */
  add(items: Item[], dx: number, dy: number, remap?: Map<string, string>): void {
    for (const it of items) {
      const fill = paintOfPlaceholder(remap?.get(it.fill) ?? it.fill);
      if (it.t === 'r') this.rect(it.x + dx, it.y + dy, it.w, it.h, fill);
      // satori already escaped the text.
      else this.rawText(it.x + dx, it.y + dy, fill, it.size, it.s);
    }
  }

  /** Consecutive rects of one colour share a <g fill>, which gzip likes better than repeating the var(). */
  rect(x: number, y: number, w: number, h: number, fill: string): void {
    const r = `<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${n(h)}"/>`;
    if (fill === this.lastRectFill) this.rects[this.rects.length - 1] += r;
    else {
      this.rects.push(`</g><g fill="${fill}">${r}`);
      this.lastRectFill = fill;
    }
  }

  overlay(svg: string): void {
    this.overlays.push(svg);
  }

  /** A text of the renderer's own (a mark or a label); escaped here. */
  text(x: number, y: number, fill: string, size: number, s: string): void {
    this.rawText(x, y, fill, size, escapeXml(s));
  }

  private rawText(x: number, y: number, fill: string, size: number, escaped: string): void {
    const k = `${fill}|${size}`;
    let list = this.texts.get(k);
    if (!list) this.texts.set(k, (list = []));
    list.push(`<text x="${n(x)}" y="${n(y)}">${escaped}</text>`);
  }

  toString(): string {
    let out = this.rects.length ? this.rects.join('').slice(4) + '</g>' : '';
    out += this.overlays.join('');
    for (const [k, list] of this.texts) {
      const [fill, size] = k.split('|');
      out += `<g fill="${fill}"${Number(size) !== FS ? ` font-size="${size}"` : ''}>${list.join('')}</g>`;
    }
    return out;
  }
}

/** An outline drawn inside a box's edge. */
export function outline(b: { x: number; y: number; w: number; h: number }, stroke: string, width: number, dash = false): string {
  const i = width / 2;
  return `<rect x="${n(b.x + i)}" y="${n(b.y + i)}" width="${n(b.w - width)}" height="${n(b.h - width)}" fill="none" stroke="${stroke}" stroke-width="${width}"${dash ? ' stroke-dasharray="4 3"' : ''}/>`;
}

export function tint(b: { x: number; y: number; w: number; h: number }, fill: string): string {
  return `<rect x="${n(b.x)}" y="${n(b.y)}" width="${n(b.w)}" height="${n(b.h)}" fill="${fill}"/>`;
}

export interface SvgParts {
  width: number;
  height: number;
  titleId: string;
  title: string;
  markerId: string;
  body: string;
}

export function svgDocument(p: SvgParts): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${p.width}" height="${p.height}" viewBox="0 0 ${p.width} ${p.height}" ` +
    `role="img" aria-labelledby="${p.titleId}" font-family="${FONT_STACK}" font-size="${FS}" xml:space="preserve">` +
    `<title id="${p.titleId}">${escapeXml(p.title)}</title>` +
    `<defs><marker id="${p.markerId}" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto">` +
    `<path d="M0,0L8,4L0,8z" fill="${paint('arrow')}"/></marker></defs>` +
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
