/**
 * memtrace's renderer: a trace in, one static SVG per shown step out (plus a text version of each step).
 *
 * render() runs five stages, each a function from a typed input to a typed output:
 *
 * | Stage | Function | In → out |
 * |---|---|---|
 * | Model | `modelFigure` (figure-model.ts) | `Trace` → `FigureModel`: what each shown step shows |
 * | Lay out boxes | `figureFragments`, `layOut` (boxes.ts) | `FigureModel` → `FigureFragments` → `LaidOut` (one satori call) |
 * | Place | `placeFigure`, `placeStep` (positions.ts, narrow.ts) | → `FigurePlacement` per arrangement (shared by all steps), `StepPlacement` |
 * | Route arrows | `routeArrows` (routes.ts) | `StepPlacement` → `StepArrows` |
 * | Draw | `startDrawing`, `drawStep` (draw.ts) | all of the above → `RenderedStep` (SVG written by svg.ts) |
 */
import { packSvg } from '../figure/packed.ts';
import type { Trace } from '../trace/format.ts';
import { figureFragments, layOut, type FigureFragments, type LaidOut } from './boxes.ts';
import { bytesWhenRead, drawStep, sharedPart, startDrawing, withSvgBytes } from './draw.ts';
import { modelFigure, type FigureModel } from './figure-model.ts';
import { outputLines } from './fragments.ts';
import { placeFigure, placeStep, type FigurePlacement } from './positions.ts';
import { Reuse } from './reuse.ts';
import { routeArrows } from './routes.ts';
import { NARROW_WIDTH, OUTPUT_LINES } from './sizes.ts';
import type { RenderedFigure, RenderOptions } from './types.ts';

export { FONT_FAMILY, FONT_FILES, FONT_STACK } from './font.ts';
export { PALETTE, THEME_CSS } from './theme.ts';
export type { CodePane, RenderedFigure, RenderedStep, RenderOptions } from './types.ts';

/** The indices of the steps to render, checked against the trace. */
function shownSteps(trace: Trace, options: RenderOptions): number[] {
  const shown = options.steps ?? trace.steps.map((_, i) => i);
  for (const i of shown) {
    if (!Number.isInteger(i) || i < 0 || i >= trace.steps.length)
      throw new Error(`memtrace render: no step ${i} (the trace has ${trace.steps.length})`);
  }
  return shown;
}

/** Renders the shown steps of a trace: one SVG and one text version per step, all of one size. */
export async function render(trace: Trace, options: RenderOptions = {}): Promise<RenderedFigure> {
  const prefix = options.idPrefix ?? 'mt-';
  if (!/^[A-Za-z][\w-]*$/.test(prefix))
    throw new Error(`memtrace render: idPrefix must be a valid id start, got ${JSON.stringify(prefix)}`);
  const shown = shownSteps(trace, options);
  if (shown.length === 0) return { width: 0, height: 0, steps: [] };

  const model = modelFigure(trace, shown, options);
  const layout = options.layout ?? 'wide';
  const page = layout === 'page';
  const fragments = figureFragments(model, !page);
  const laid = await layOut(fragments);
  const arrangements = placeArrangements(model, fragments, laid, layout);
  const drawOptions = { prefix, shared: options.shared === true || page, title: options.title };
  const reuse = new Reuse(drawOptions.shared, prefix);
  const drawings = arrangements.map((figure) => startDrawing(model, fragments, laid, figure, drawOptions, reuse));
  const steps = model.steps.map((m, k) => {
    const [step, narrow] = drawings.map((d) => {
      const placed = placeStep(k, model, fragments, laid, d.figure);
      const drawn = drawStep(d, k, placed, routeArrows(placed, d.figure));
      return options.packed ? withSvgBytes({ ...drawn, tree: packSvg(drawn.tree) }) : drawn;
    });
    if (!page) return step!;
    const pane = {
      ...(m.prevLine === undefined ? {} : { prevLine: m.prevLine }),
      output: outputLines(m.stdout, OUTPUT_LINES),
      ...(m.exception ? { exception: `${m.exception.type}: ${m.exception.message}` } : {}),
    };
    const withPane = withSvgBytes({ ...step!, ...(narrow ? { narrowTree: narrow.tree } : {}), pane });
    if (narrow) Object.defineProperty(withPane, 'narrow', { get: () => narrow.svg, enumerable: false });
    return withPane;
  });
  const drawnShared = sharedPart(drawings);
  const shared = options.packed ? drawnShared?.map((n) => (n.type === 'element' ? packSvg(n) : n)) : drawnShared;
  const [{ width, height }, stacked] = arrangements;
  const figure: RenderedFigure = { width: width!, height: height!, steps };
  // The shared part's bytes are left out of the figure's JSON, as a step's `svg` is.
  if (shared !== undefined) bytesWhenRead(figure, 'shared', (figure.sharedTree = shared));
  if (page) figure.code = model.code;
  if (page && stacked)
    figure.narrow = { width: stacked.width, height: stacked.height, ...(stacked.band ? { band: stacked.band } : {}) };
  return figure;
}

/**
 * The arrangements a figure is drawn in: the one asked for; on a page, the wide one and also the stacked one when
 * the wide one is wider than a phone's column and the stacked one narrower than it.
 */
function placeArrangements(
  model: FigureModel,
  fragments: FigureFragments,
  laid: LaidOut,
  layout: NonNullable<RenderOptions['layout']>,
): FigurePlacement[] {
  const page = layout === 'page';
  if (layout === 'narrow') return [placeFigure(model, fragments, laid, 'stacked')];
  const wide = placeFigure(model, fragments, laid, 'wide', page);
  if (!page || wide.width <= NARROW_WIDTH) return [wide];
  const stacked = placeFigure(model, fragments, laid, 'stacked', true);
  return stacked.width < wide.width ? [wide, stacked] : [wide];
}
