/**
 * Where a figure goes on its page, and the figure placed there: its ids prefixed for the page (a block repeated on a
 * page gets ids of its own), the assets on the page's first figure, and long figures windowed (figure/windows.ts).
 */
import { renderFigure, type FigureAssets } from '../figure/index.ts';
import type { ElementContent, Root } from '../figure/hast.ts';
import { pageFigure, type StepPages } from '../figure/windows.ts';
import { renameIds, unpacked } from '../figure/packed.ts';
import { figureIdOf, type FigureEntry, type ResolvedOptions } from './figure-entry.ts';
import type { DocumentState } from './index.ts';

/** What of the host a placed figure depends on. */
export interface PlacementHost {
  assets?: FigureAssets | 'inline';
  stepPages?: StepPages;
}

/** Ids must be unique on the page, so a block repeated in one document gets its own prefix. */
function figureId(key: string, doc: DocumentState): string {
  let id = figureIdOf(key);
  for (let n = 2; doc.ids.has(id); n++) id = `${figureIdOf(key)}x${n}`;
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

/** The figure with the ids of its SVGs renamed from those it was drawn with to those of `id`. */
function withIds(entry: FigureEntry, id: string): FigureEntry['figure'] {
  const { figure, drawnId } = entry;
  if (drawnId === id) return figure;
  const rename = <T extends ElementContent>(n: T): T => renameIds(n, `${drawnId}-`, `${id}-`);
  return {
    ...figure,
    steps: figure.steps.map((s) => ({
      ...s,
      tree: rename(s.tree),
      ...(s.narrowTree ? { narrowTree: rename(s.narrowTree) } : {}),
    })),
    ...(figure.sharedTree === undefined ? {} : { sharedTree: figure.sharedTree.map(rename) }),
  };
}

/**
 * The figure's HTML, and its tree when asked for, with the ids of this place, windowed if long (figure/windows.ts).
 */
export function placeFigure(
  entry: FigureEntry,
  opts: ResolvedOptions,
  place: Placement,
  host: PlacementHost,
): { tree: Root; html: string } {
  const { id } = place;
  const { assets, stepPages } = host;
  const tree = renderFigure(withIds(entry, id), {
    id,
    title: opts.title,
    start: entry.start,
    code: entry.code,
    assets: assets === undefined || assets === 'inline' ? 'inline' : assets,
    firstOnPage: place.firstOnPage,
    note: entry.note,
  });
  const placed = pageFigure(tree, stepPages);
  let whole: Root | undefined;
  // The tree only for hosts that ask for it (most write the HTML): with its drawings as elements, not raw bytes.
  return {
    html: placed.html,
    get tree() {
      whole ??= unpacked(placed.tree);
      return whole;
    },
  };
}
