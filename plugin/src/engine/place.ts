/**
 * Where a figure goes on its page, and the figure placed there: its ids prefixed for the page (a block repeated on a
 * page gets ids of its own), the assets on the page's first figure, and long figures windowed (figure/windows.ts).
 */
import { renderFigure, type FigureAssets } from '../figure/index.ts';
import type { ElementContent, Root } from '../figure/hast.ts';
import { pageFigure, type StepPages } from '../figure/windows.ts';
import { ID_PLACEHOLDER, type FigureEntry, type ResolvedOptions } from './figure-entry.ts';
import type { DocumentState } from './index.ts';

/** What of the host a placed figure depends on. */
export interface PlacementHost {
  assets?: FigureAssets | 'inline';
  stepPages?: StepPages;
}

/** The properties that hold an id or a reference to one. */
const ID_PROPERTIES = ['id', 'href', 'ariaLabelledBy', 'markerEnd'];

/**
 * The cached SVG trees carry a placeholder id prefix: the figure's own goes in its place, in ids and references to
 * them only (`#…`, `url(#…)`), never in a program's own text.
 */
function withIdPrefix<T extends ElementContent>(node: T, id: string): T {
  if (node.type !== 'element') return node;
  const properties = { ...node.properties };
  for (const name of ID_PROPERTIES) {
    const v = properties[name];
    if (typeof v === 'string' && v.replace(/^(#|url\(#)/, '').startsWith(ID_PLACEHOLDER)) {
      properties[name] = v.replace(ID_PLACEHOLDER, `${id}-`);
    }
  }
  return { ...node, properties, children: node.children.map((c) => withIdPrefix(c, id)) };
}

/** Ids must be unique on the page, so a block repeated in one document gets its own prefix. */
function figureId(key: string, doc: DocumentState): string {
  let id = `mt${key.slice(0, 8)}`;
  for (let n = 2; doc.ids.has(id); n++) id = `mt${key.slice(0, 8)}x${n}`;
  return id;
}

/** Where a figure goes on its page: its id, and whether it is the page's first (which brings the assets). */
export interface Placement {
  id: string;
  firstOnPage: boolean;
}

/** The next figure's place on the page, not yet taken (a block that fails takes none). */
export const freePlacement = (key: string, doc: DocumentState): Placement => ({
  id: figureId(key, doc),
  firstOnPage: doc.figures === 0,
});

/** Takes a place on the page. */
export function takePlacement(place: Placement, doc: DocumentState): Placement {
  doc.ids.add(place.id);
  doc.figures++;
  return place;
}

/** The figure's tree and HTML, with its ids prefixed for this page, windowed if long (figure/windows.ts). */
export function placeFigure(
  entry: FigureEntry,
  opts: ResolvedOptions,
  place: Placement,
  host: PlacementHost,
): { tree: Root; html: string } {
  const { id } = place;
  const { figure } = entry;
  const { assets, stepPages } = host;
  const tree = renderFigure(
    {
      ...figure,
      steps: figure.steps.map((s) => ({
        ...s,
        tree: withIdPrefix(s.tree, id),
        ...(s.narrowTree ? { narrowTree: withIdPrefix(s.narrowTree, id) } : {}),
      })),
      ...(figure.sharedTree === undefined ? {} : { sharedTree: figure.sharedTree.map((n) => withIdPrefix(n, id)) }),
    },
    {
      id,
      title: opts.title,
      start: entry.start,
      code: entry.code,
      assets: assets === undefined || assets === 'inline' ? 'inline' : assets,
      firstOnPage: place.firstOnPage,
      note: entry.note,
    },
  );
  return pageFigure(tree, stepPages);
}
