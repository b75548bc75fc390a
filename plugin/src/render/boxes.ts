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
  output: FragmentSpec;
  exception?: FragmentSpec;
}

/** Every fragment of a figure, and the sizes shared by all its steps. */
export interface FigureFragments {
  code: FragmentSpec;
  legend: FragmentSpec;
  headers: { frames: FragmentSpec; objects: FragmentSpec; output: FragmentSpec };
  steps: StepFragments[];
  codeDims: { width: number; numberW: number };
  frameDims: FrameDims;
  /** The first fragment of each key, in order of first use: what satori lays out. */
  unique: FragmentSpec[];
}

/** The laid-out box of a fragment: its size, its drawn items and its anchors. */
export type LaidOut = (fragment: FragmentSpec) => Rendered;

/** Builds the fragments of every shown step; fragments with one key share one layout, each keeps its own refs. */
export function figureFragments(model: FigureModel): FigureFragments {
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
  const outRows = Math.max(1, ...model.steps.map((m) => outputLines(m.stdout, OUTPUT_LINES).length));
  const code = use(codeFragment(model.code, cd.width, cd.numberW));
  const legend = use(legendFragment());
  const headers = {
    frames: use(headerFragment('Frames')),
    objects: use(headerFragment('Objects')),
    output: use(headerFragment('Print output')),
  };
  const steps = model.steps.map((m) => ({
    frames: m.frames.map((f) => ({
      head: use(frameHeaderFragment(f, fd)),
      rows: f.rows.map((r) => {
        const { name, value } = frameRowFragments(r, f.state === 'exited', fd);
        return { name: use(name), value: use(value) };
      }),
    })),
    objects: new Map(m.objects.map((o) => [o.id, use(objectFragment(o.obj))])),
    output: use(outputFragment(outputLines(m.stdout, outRows), cd.width, outRows)),
    exception: m.exception ? use(exceptionFragment(m.exception.type, m.exception.message, cd.width)) : undefined,
  }));
  return { code, legend, headers, steps, codeDims: cd, frameDims: fd, unique: [...specs.values()] };
}

/** Layouts of the fragments every figure draws alike (the legend, the headers), kept for the process. */
const STATIC = new Map<string, Rendered>();
const STATIC_KEYS = new Set(
  [legendFragment(), headerFragment('Frames'), headerFragment('Objects'), headerFragment('Print output')].map(
    (s) => s.key,
  ),
);

/** Lays out, in one satori call, every fragment whose layout is not known yet. */
export async function layOut(fragments: FigureFragments): Promise<LaidOut> {
  const fresh = fragments.unique.filter((s) => !STATIC.has(s.key));
  const rendered = await renderSheet(fresh);
  for (const s of fresh) if (STATIC_KEYS.has(s.key)) STATIC.set(s.key, rendered.get(s.key)!);
  return (s) => rendered.get(s.key) ?? STATIC.get(s.key)!;
}
