/**
 * Placeholders for figures (`<memtrace-slot>`, see `slots` in the engine's options) and what each stands for, so
 * that the figures can be put in once a page is served or written.
 */
import { h, htmlBytes, type Element } from '../figure/hast.ts';
import { cacheKey, type Cache } from './cache.ts';
import { errorPanel, MemtraceError } from './errors.ts';
import type { FigureEntry, ResolvedOptions } from './figure-entry.ts';
import type { Block } from './index.ts';
import { placeFigure, type Placement, type PlacementHost } from './place.ts';
import type { PlacedStore } from './placed.ts';

/** What a placeholder stands for: enough to place the figure again from the cache. */
interface Slot {
  key: string;
  block: Block;
  opts: ResolvedOptions;
  place: Placement;
}

/** Placeholders seen recently; each is small (the block's code), and pages only ever show the latest ones. */
const SLOTS_KEPT = 2000;
/**
 * Filled placeholders kept as HTML, most recent last: a page is fetched again after each save (most often a prose
 * edit, its figures unchanged), and placing and writing a figure costs tens of ms. Each is hundreds of kB at most.
 */
const FILLED_KEPT = 24;
const SLOT = /<memtrace-slot data-slot="([0-9a-f]+)"><\/memtrace-slot>/g;

/**
 * Placeholders and what they stand for (see `slots` in the engine's options), most recent last; the oldest are forgotten
 * past {@link SLOTS_KEPT}. A figure is placed again from the cache each time its page is served.
 */
export function slotRegistry(cache: Cache<FigureEntry>, placed: PlacedStore | undefined, host: PlacementHost) {
  const missing = () =>
    htmlBytes(errorPanel(new MemtraceError('this figure is no longer in memory: save the file again to draw it')));
  const slots = new Map<string, Slot>();
  // A name stands for one cache key, place, options and file: its HTML never changes.
  const filled = new Map<string, string>();
  const fillOne = (name: string): string => {
    const placedKey = placedSlots.get(name);
    if (placedKey !== undefined) return placed?.html(placedKey) ?? missing();
    const kept = filled.get(name);
    if (kept !== undefined) {
      filled.delete(name);
      filled.set(name, kept);
      return kept;
    }
    const slot = slots.get(name);
    const entry = slot && cache.get(slot.key);
    if (!slot || !entry) return missing();
    const { html } = placeFigure(entry, slot.opts, slot.place, host);
    filled.set(name, html);
    if (filled.size > FILLED_KEPT) filled.delete(filled.keys().next().value!);
    return html;
  };
  // Placed figures' slots are never forgotten: a build fills them only once every page is written.
  const placedSlots = new Map<string, string>();
  return {
    /** A placeholder for a figure kept in the placed store under `placedKey`. */
    addPlaced(placedKey: string): Element {
      const name = placedKey.slice(0, 24);
      placedSlots.set(name, placedKey);
      return h('memtrace-slot', { dataSlot: name });
    },
    add(key: string, block: Block, opts: ResolvedOptions, place: Placement): Element {
      const name = cacheKey({ key, place, opts, file: block.file }).slice(0, 24);
      slots.delete(name);
      slots.set(name, { key, block: { code: block.code, meta: block.meta, file: block.file }, opts, place });
      if (slots.size > SLOTS_KEPT) slots.delete(slots.keys().next().value!);
      return h('memtrace-slot', { dataSlot: name });
    },
    fill: (html: string) =>
      html.includes('<memtrace-slot') ? html.replace(SLOT, (_, name: string) => fillOne(name)) : html,
  };
}
