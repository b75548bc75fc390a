/**
 * Lays out every fragment of a figure in ONE satori call (satori costs about 0.1 ms per element plus 0.5 ms per
 * call, so one call per fragment or per step would blow the budget), stacked on a tall sheet, then cuts the sheet
 * back into fragments: each emitted element belongs to the fragment whose band holds its y. The fragments only draw
 * rects and text (no borders, radii or overflow), so the cut is exact; anything else satori emits is a bug here.
 */
import satori from 'satori';
import { charWidth, FONT_FAMILY, satoriFonts } from './font.ts';
import { div, type El } from './element.ts';
import type { FragmentSpec } from './fragments.ts';
import { FS } from './sizes.ts';
import { placeholder } from './theme.ts';

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type Item =
  | { t: 'r'; x: number; y: number; w: number; h: number; fill: string }
  | { t: 't'; x: number; y: number; w: number; fill: string; size: number; s: string };

export interface Rendered {
  w: number;
  h: number;
  /** Drawn elements, relative to the fragment's top left corner, rects before texts as satori painted them. */
  items: Item[];
  /** Keyed elements (dots, boxes), relative to the fragment's top left corner. */
  anchors: Map<string, Box>;
}

const GAP = 8;

function rekey(el: El, prefix: string): El {
  const children = el.props.children;
  return {
    ...el,
    key: el.key === undefined ? undefined : `${prefix}.${el.key}`,
    props: {
      ...el.props,
      children: Array.isArray(children)
        ? children.map((c) => (typeof c === 'string' ? c : rekey(c, prefix)))
        : children,
    },
  };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };
/** satori's text, escaped as it writes it (the five XML entities), back to plain text. */
const unescapeText = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ENTITIES[e]!);

const attrRe = /([a-z-]+)="([^"]*)"/g;
function attrs(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of s.matchAll(attrRe)) out[m[1]!] = m[2]!;
  return out;
}

/** The sheet as satori drew it, with each fragment's box and its keyed elements' boxes, all in sheet coordinates. */
interface LaidOutSheet {
  svg: string;
  /** Each fragment's box on the sheet, in spec order. */
  frames: Box[];
  /** Each fragment's keyed elements, by key without the fragment prefix. */
  anchors: Map<string, Box>[];
}

/** Stacks every fragment on one tall sheet and lays it out in a single satori call, noting where each keyed node went. */
async function layOutSheet(specs: FragmentSpec[]): Promise<LaidOutSheet> {
  const roots = specs.map((s, i) => ({ ...rekey(s.el, String(i)), key: String(i) }));
  const sheet = div(
    {
      flexDirection: 'column',
      alignItems: 'flex-start',
      gap: GAP,
      fontFamily: FONT_FAMILY,
      fontSize: FS,
      color: placeholder('fg'),
      whiteSpace: 'pre',
    },
    roots,
  );
  const frames: Box[] = [];
  const anchors: Map<string, Box>[] = specs.map(() => new Map());
  const svg = await satori(sheet as never, {
    width: 4000,
    fonts: satoriFonts(),
    embedFont: false,
    convertColors: false,
    onNodeDetected(n) {
      if (n.key === undefined || n.key === null) return;
      const key = String(n.key);
      const dot = key.indexOf('.');
      const box = { x: n.left, y: n.top, w: n.width, h: n.height };
      if (dot < 0) frames[Number(key)] = box;
      else anchors[Number(key.slice(0, dot))]!.set(key.slice(dot + 1), box);
    },
  });
  return { svg, frames, anchors };
}

/** The fragment whose band holds y: satori paints positioned elements after the rest, so tree order is not enough. */
function owningFragment(frames: Box[], y: number): number {
  let lo = 0;
  let hi = frames.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (frames[mid]!.y <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Cuts satori's rects and texts back into fragments, relative to each one's corner; anything else it emits is a bug. */
function cutSheet(svg: string, frames: Box[], count: number): Item[][] {
  const items: Item[][] = Array.from({ length: count }, () => []);
  const body = svg
    .replace(/^<svg[^>]*>/, '')
    .replace(/<\/svg>$/, '')
    .replace(/<mask\b[^>]*>.*?<\/mask>/gs, '')
    .replace(/<clipPath\b[^>]*>.*?<\/clipPath>/gs, '')
    .replace(/<defs>.*?<\/defs>/gs, '');
  const elementRe = /<rect ([^>]*)\/>|<text ([^>]*)>([^<]*)<\/text>/gy;
  let pos = 0;
  for (let m = elementRe.exec(body); m; m = elementRe.exec(body)) {
    pos = elementRe.lastIndex;
    if (m[1] !== undefined) {
      const a = attrs(m[1]);
      const y = Number(a.y);
      const f = owningFragment(frames, y);
      const o = frames[f]!;
      items[f]!.push({
        t: 'r',
        x: Number(a.x) - o.x,
        y: y - o.y,
        w: Number(a.width),
        h: Number(a.height),
        fill: a.fill!,
      });
    } else {
      const a = attrs(m[2]!);
      const s = unescapeText(m[3]!);
      const y = Number(a.y);
      const f = owningFragment(frames, y);
      const o = frames[f]!;
      items[f]!.push({
        t: 't',
        x: Number(a.x) - o.x,
        y: y - o.y,
        w: Number(a.width),
        fill: a.fill!,
        size: Number(a['font-size']),
        s,
      });
    }
  }
  if (pos !== body.length) {
    throw new Error(`memtrace render: unexpected satori output: ${body.slice(pos, pos + 80)}`);
  }
  return items;
}

/** Lays out every fragment in one satori call and returns each, by key, with its drawn items and anchors. */
export async function renderSheet(specs: FragmentSpec[]): Promise<Map<string, Rendered>> {
  const out = new Map<string, Rendered>();
  if (specs.length === 0) return out;
  const { svg, frames, anchors } = await layOutSheet(specs);
  const items = cutSheet(svg, frames, specs.length);
  specs.forEach((s, i) => {
    const f = frames[i]!;
    // '' is the fragment itself.
    const local = new Map<string, Box>([['', { x: 0, y: 0, w: f.w, h: f.h }]]);
    for (const [k, b] of anchors[i]!) local.set(k, { x: b.x - f.x, y: b.y - f.y, w: b.w, h: b.h });
    out.set(s.key, { w: f.w, h: f.h, items: mergeText(items[i]!), anchors: local });
  });
  return out;
}

/**
 * satori writes one <text> per word. In a monospace font a run of words on one baseline is one <text>: far fewer
 * bytes, and the same glyph positions. Newlines end a run; spaces at either end are dropped (x moved past them).
 */
function mergeText(items: Item[]): Item[] {
  const out: Item[] = [];
  let run: Extract<Item, { t: 't' }> | undefined;
  const flush = () => {
    if (!run) return;
    const lead = run.s.length - run.s.trimStart().length;
    const s = run.s.trim();
    if (s)
      out.push({
        ...run,
        x: run.x + lead * charWidth(run.size),
        w: run.w - (run.s.length - s.length) * charWidth(run.size),
        s,
      });
    run = undefined;
  };
  for (const it of items) {
    if (it.t === 'r') {
      flush();
      out.push(it);
      continue;
    }
    if (it.s.includes('\n')) {
      flush();
      continue;
    }
    if (
      run &&
      run.y === it.y &&
      run.fill === it.fill &&
      run.size === it.size &&
      Math.abs(run.x + run.w - it.x) < 0.05
    ) {
      run = { ...run, s: run.s + it.s, w: run.w + it.w };
    } else {
      flush();
      run = { ...it };
    }
  }
  flush();
  return out;
}
