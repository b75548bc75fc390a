/**
 * The "lay out boxes" stage of render(): every box a figure draws becomes a fragment (fragments.ts), deduplicated by
 * key, and satori lays all the new ones out in one call (sheet.ts).
 */
import {
  codeDims,
  codeFragment,
  exceptionFragment,
  frameDims,
  frameHeaderFragment,
  frameRowFragments,
  headerFragment,
  legendFragment,
  objectFragment,
  outputFragment,
  outputLines,
  type FrameDims,
  type FragmentSpec,
} from './fragments.ts';
import type { FigureModel } from './figure-model.ts';
import { renderSheet, type Rendered } from './sheet.ts';
import { OUTPUT_LINES } from './sizes.ts';

/** A frame's fragments: its header, and per variable its name and its value cell. */
export interface FrameFragments {
  head: FragmentSpec;
  rows: { name: FragmentSpec; value: FragmentSpec }[];
}

/** The fragments one step draws besides what every step draws. */
export interface StepFragments {
  frames: FrameFragments[];
  /** By heap id. */
  objects: Map<number, FragmentSpec>;
}

/**
 * What the SVG draws left of the frames when it draws the code: the code, the legend, the output and the exceptions.
 * A page has none of it (its code pane is HTML), so none of it is laid out there.
 */
export interface CodeColumnFragments {
  code: FragmentSpec;
  legend: FragmentSpec;
  outputHeader: FragmentSpec;
  /** Per step. */
  output: FragmentSpec[];
  /** Per step, for the steps that show an exception. */
  exception: (FragmentSpec | undefined)[];
}

/** Every fragment of a figure, and the sizes shared by all its steps. */
export interface FigureFragments {
  /** Absent when the SVG does not draw the code (on a page). */
  column?: CodeColumnFragments;
  headers: { frames: FragmentSpec; objects: FragmentSpec };
  steps: StepFragments[];
  codeDims: { width: number; numberW: number };
  frameDims: FrameDims;
  /** The first fragment of each key, in order of first use: what satori lays out. */
  unique: FragmentSpec[];
}

/** The laid-out box of a fragment: its size, its drawn items and its anchors. */
export type LaidOut = (fragment: FragmentSpec) => Rendered;

/**
 * Builds the fragments of every shown step; fragments with one key share one layout, each keeps its own refs.
 * `drawsCode`: whether the SVG draws the code column (see {@link CodeColumnFragments}).
 */
export function figureFragments(model: FigureModel, drawsCode = true): FigureFragments {
  const specs = new Map<string, FragmentSpec>();
  const use = (s: FragmentSpec) => {
    if (!specs.has(s.key)) specs.set(s.key, s);
    return s;
  };
  const cd = codeDims(model.code);
  const fd = frameDims(
    model.steps.flatMap((m) => m.frames),
    Math.max(0, ...model.omitted.map((t) => t.length)),
  );
  const column = drawsCode ? codeColumnFragments(model, cd, use) : undefined;
  const headers = { frames: use(headerFragment('Frames')), objects: use(headerFragment('Objects')) };
  const steps = model.steps.map((m) => ({
    frames: m.frames.map((f) => ({
      head: use(frameHeaderFragment(f, fd)),
      rows: f.rows.map((r) => {
        const { name, value } = frameRowFragments(r, f.state === 'exited', fd);
        return { name: use(name), value: use(value) };
      }),
    })),
    objects: new Map(m.objects.map((o) => [o.id, use(objectFragment(o.obj))])),
  }));
  return { ...(column ? { column } : {}), headers, steps, codeDims: cd, frameDims: fd, unique: [...specs.values()] };
}

/** The code column's fragments, each passed through `use`. */
function codeColumnFragments(
  model: FigureModel,
  cd: FigureFragments['codeDims'],
  use: (s: FragmentSpec) => FragmentSpec,
): CodeColumnFragments {
  const outRows = Math.max(1, ...model.steps.map((m) => outputLines(m.stdout, OUTPUT_LINES).length));
  return {
    code: use(codeFragment(model.code, cd.width, cd.numberW)),
    legend: use(legendFragment()),
    outputHeader: use(headerFragment('Print output')),
    output: model.steps.map((m) => use(outputFragment(outputLines(m.stdout, outRows), cd.width, outRows))),
    exception: model.steps.map((m) =>
      m.exception ? use(exceptionFragment(m.exception.type, m.exception.message, cd.width)) : undefined,
    ),
  };
}

/**
 * Layouts by what a fragment draws (its element as JSON), kept across the figures a thread draws, most recently used
 * last. A fragment's layout depends on nothing but its element: satori lays each out relative to its own corner, in
 * float32 steps that move exactly to any place on the sheet. So a box that recurs in another figure (a frame's
 * header, a variable, a small list, the legend) is laid out once. Fragment keys cannot be used: they are unique only
 * within a figure (the code pane is `code` in every one).
 */
const LAYOUTS = new Map<string, { laid: Rendered; size: number }>();
let layoutsSize = 0;

/**
 * The layouts kept, counted as the length of their keys: about 6,000 fragments, up to 14 MB of heap with the layouts,
 * in each drawing thread (a long-running dev server too). Every fragment of the bench's 230-block site (3,024, with
 * keys of 631 characters on average, 1.9 M in all) fits twice over: a smaller budget let the long figures push out
 * the layouts that later figures share, so that a site's second figure of a kind was laid out all over again.
 */
export const LAYOUTS_KEPT_CHARS = 4_000_000;

/** Lays out, in one satori call, every fragment whose layout is not known yet. */
export async function layOut(fragments: FigureFragments): Promise<LaidOut> {
  const own = new Map<string, Rendered>();
  const content = new Map<string, string>();
  const fresh: FragmentSpec[] = [];
  for (const s of fragments.unique) {
    const c = JSON.stringify(s.el);
    const known = LAYOUTS.get(c);
    // Taken now: another figure drawn meanwhile (while satori runs) may push it out of the cache.
    if (known) own.set(s.key, known.laid);
    else fresh.push(s);
    content.set(s.key, c);
  }
  for (const [key, laid] of await renderSheet(fresh)) own.set(key, laid);
  for (const s of fragments.unique) keepLayout(content.get(s.key)!, own.get(s.key)!);
  return (s) => own.get(s.key)!;
}

/** Keeps a layout as the most recently used, and lets go of the least recently used past the budget. */
function keepLayout(content: string, laid: Rendered): void {
  const old = LAYOUTS.get(content);
  if (old) {
    LAYOUTS.delete(content);
    layoutsSize -= old.size;
  }
  LAYOUTS.set(content, { laid, size: content.length });
  layoutsSize += content.length;
  while (layoutsSize > LAYOUTS_KEPT_CHARS && LAYOUTS.size > 1) {
    const [oldest, { size }] = LAYOUTS.entries().next().value!;
    LAYOUTS.delete(oldest);
    layoutsSize -= size;
  }
}
