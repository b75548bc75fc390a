/** What render() takes and gives. */
import type { Element, ElementContent } from 'hast';

/** How render() draws a trace. */
export interface RenderOptions {
  /** Prefix for every id inside the SVGs, unique per figure (e.g. 'mt3a9f-'). Required for many figures per page. */
  idPrefix?: string;
  /** Indices of the steps to render (default all). Layout is still computed over the shown steps only, so sizes are shared. */
  steps?: number[];
  /** Variable or frame (function) names to hide, exact or glob with *. */
  hide?: string[];
  /** Draw primitives as heap objects with arrows, as Python Tutor's "render all objects on the heap". Default false. */
  heapPrimitives?: boolean;
  /** Show exited frames that closures reference (default true). */
  showExited?: boolean;
  /** Draw every member of a class, those library code generated too (a dataclass's `__init__`); default false folds them into one row. */
  showGenerated?: boolean;
  /** Title used in each SVG's <title>. */
  title?: string;
  /**
   * The arrangement of each step's SVG. `wide` (default): code | frames | objects. `narrow`: the code, then the
   * frames, then the objects, stacked, for a column as narrow as a phone's. `page`: for a page that sets the code
   * and the printed output as HTML beside the diagram (figure/code-pane.ts): each step's SVG holds the frames and
   * objects side by side, and `RenderedStep.narrow` the same stacked when that is narrower; implies `shared`.
   */
  layout?: 'wide' | 'narrow' | 'page';
  /**
   * Draw what steps have in common once, in `RenderedFigure.shared`, and have each step's SVG `<use>` it: the code
   * and its line numbers, the legend, the headers, the arrowheads, and every frame or object drawn the same in two
   * steps or more. For a page that holds every step of the figure and the shared part (see figure/markup.ts); a
   * step's SVG is then not complete on its own. Default false.
   */
  shared?: boolean;
  /**
   * Write each step's drawing to bytes as soon as the step is drawn: `tree` and `narrowTree` keep their `<svg>`
   * element and its `<title>`, with what it draws as one hast `raw` node (figure/packed.ts), and so does each element
   * of `sharedTree`. For a host that writes the figure as HTML: a long figure's thousands of small elements then never
   * pile up in memory. Default false.
   */
  packed?: boolean;
}

/** One step as drawn: its SVG (as bytes and as a hast element) and its text version. */
export interface RenderedStep {
  /** Index of the step in the trace. */
  index: number;
  /** The line that runs next. */
  line: number;
  /** The SVG's bytes. */
  svg: string;
  /** The same SVG as a hast element, for a figure's tree. */
  tree: Element;
  /** The text version, for screen readers and for anyone who cannot see the picture. */
  text: string;
  /** The author's note this step shows (inline Markdown): its own, or the last one before it, `carried` over. */
  note?: { markdown: string; carried: boolean };
  /** With layout `page`: the diagram stacked (objects below the frames), when the figure has that arrangement. */
  narrow?: string;
  /** The same as a hast element. */
  narrowTree?: Element;
  /** With layout `page`: what the HTML code pane shows besides the code and the next line (`line`). */
  pane?: CodePane;
}

/** What a page's code pane shows at one step besides the code and the next line to run. */
export interface CodePane {
  /** The line that just ran. */
  prevLine?: number;
  /** The last lines printed so far, the first replaced by a count when earlier lines do not fit. */
  output: string[];
  /** "Type: message" of the exception raised at this step. */
  exception?: string;
}

/** Every shown step of a trace, drawn at one size. */
export interface RenderedFigure {
  width: number;
  height: number;
  steps: RenderedStep[];
  /**
   * With `shared`: the content of a `<defs>` that the steps reference by id. The page must hold it once. Written from
   * `sharedTree` when first read, and left out of the figure's JSON, as a step's `svg` is.
   */
  shared?: string;
  /** With `shared`: the same content as hast elements. */
  sharedTree?: ElementContent[];
  /** With layout `page`: the program's lines (tabs expanded), for the HTML code pane. */
  code?: string[];
  /**
   * With layout `page`: the size of the stacked diagram, when the steps have one (RenderedStep.narrow), and where
   * its band of objects wider than a phone's column starts (`y`), with the width of everything above it.
   */
  narrow?: { width: number; height: number; band?: { y: number; width: number } };
}
