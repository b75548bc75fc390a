/**
 * Drawings that recur across the steps of a figure (a frame or an object that did not change), drawn once in the
 * figure's shared part and placed in each step with <use>. Only for `RenderOptions.shared`: a standalone step SVG
 * draws everything itself.
 */
import { svgElement as el, type ElementContent } from '../figure/hast.ts';
import { Layer } from './svg.ts';

export type Draw = (into: Layer, x: number, y: number, inPlace: boolean) => void;

export class Reuse {
  private readonly uses = new Map<string, number>();
  private readonly defs = new Map<string, { id: string; under: ElementContent[]; over: ElementContent[] }>();
  private readonly enabled: boolean;
  private readonly prefix: string;

  /** `prefix` starts every id of the definitions (`<prefix>d<n>u`, `…o`). */
  constructor(enabled: boolean, prefix: string) {
    this.enabled = enabled;
    this.prefix = prefix;
  }

  /** Counts one drawing of `key`, before any is placed: only a drawing used twice or more is shared. */
  count(key: string): void {
    if (this.enabled) this.uses.set(key, (this.uses.get(key) ?? 0) + 1);
  }

  /**
   * Draws into `into` at x, y: through the shared definition of `key` when it recurs (drawn at 0, 0 the first time,
   * with `inPlace` false), else in place. True when shared, so that what goes over it is the caller's to draw.
   */
  place(key: string, into: Layer, x: number, y: number, draw: Draw): boolean {
    if ((this.uses.get(key) ?? 0) < 2) {
      draw(into, x, y, true);
      return false;
    }
    let d = this.defs.get(key);
    if (!d) {
      // Text drawn through <use> keeps its spaces only by its own xml:space (see Layer).
      const l = new Layer(true);
      draw(l, 0, 0, false);
      d = { id: `${this.prefix}d${this.defs.size}`, ...l.parts() };
      this.defs.set(key, d);
    }
    into.use(d, x, y);
    return true;
  }

  /** The definitions, for the figure's shared part: rects and text apart, as a step layers them. */
  nodes(): ElementContent[] {
    const out: ElementContent[] = [];
    for (const d of this.defs.values()) {
      if (d.under.length) out.push(el('g', { id: `${d.id}u` }, d.under));
      if (d.over.length) out.push(el('g', { id: `${d.id}o` }, d.over));
    }
    return out;
  }
}
