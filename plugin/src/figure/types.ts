/** What the renderer hands over: one complete SVG per step, all of one size. */
export interface RenderedStep {
  index: number;
  /** Line about to run, 1-based. */
  line: number;
  /** A complete `<svg role="img" ...>` element, ids already unique per figure. */
  svg: string;
  /** Plain-text version of the step (not escaped). */
  text: string;
}

export interface RenderedFigure {
  width: number;
  height: number;
  steps: RenderedStep[];
}
