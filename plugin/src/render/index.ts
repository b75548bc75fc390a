/**
 * memtrace's renderer: a trace in, one static SVG per shown step out (plus a text version of each step).
 *
 * render() runs five stages, each a function from a typed input to a typed output:
 *
 * | Stage | Function | In → out |
 * |---|---|---|
 * | Model | `modelFigure` (figure-model.ts) | `Trace` → `FigureModel`: what each shown step shows |
 * | Lay out boxes | `figureFragments`, `layOut` (boxes.ts) | `FigureModel` → `FigureFragments` → `LaidOut` (one satori call) |
 * | Place | `placeFigure`, `placeStep` (positions.ts) | → `FigurePlacement` (shared by all steps), `StepPlacement` |
 * | Route arrows | `routeArrows` (routes.ts) | `StepPlacement` → `StepArrows` |
 * | Draw | `startDrawing`, `drawStep` (draw.ts) | all of the above → `RenderedStep` (SVG written by svg.ts) |
 */
import { svgBytes } from '../figure/hast.ts';
import type { Trace } from '../trace/format.ts';
import { figureFragments, layOut } from './boxes.ts';
import { drawStep, sharedPart, startDrawing } from './draw.ts';
import { modelFigure } from './figure-model.ts';
import { placeFigure, placeStep } from './positions.ts';
import { routeArrows } from './routes.ts';
import type { RenderedFigure, RenderOptions } from './types.ts';

export { FONT_FAMILY, FONT_FILES, FONT_STACK } from './font.ts';
export { PALETTE, THEME_CSS } from './theme.ts';
export type { RenderedFigure, RenderedStep, RenderOptions } from './types.ts';

/** The indices of the steps to render, checked against the trace. */
function shownSteps(trace: Trace, options: RenderOptions): number[] {
  const shown = options.steps ?? trace.steps.map((_, i) => i);
  for (const i of shown) {
    if (!Number.isInteger(i) || i < 0 || i >= trace.steps.length) throw new Error(`memtrace render: no step ${i} (the trace has ${trace.steps.length})`);
  }
  return shown;
}

/** Renders the shown steps of a trace: one SVG and one text version per step, all of one size. */
export async function render(trace: Trace, options: RenderOptions = {}): Promise<RenderedFigure> {
  const prefix = options.idPrefix ?? 'mt-';
  if (!/^[A-Za-z][\w-]*$/.test(prefix)) throw new Error(`memtrace render: idPrefix must be a valid id start, got ${JSON.stringify(prefix)}`);
  const shown = shownSteps(trace, options);
  if (shown.length === 0) return { width: 0, height: 0, steps: [] };

  const model = modelFigure(trace, shown, options);
  const fragments = figureFragments(model);
  const laid = await layOut(fragments);
  const figure = placeFigure(model, fragments, laid);
  const drawing = startDrawing(model, fragments, laid, figure, { prefix, shared: options.shared === true, title: options.title });
  const steps = model.steps.map((_, k) => {
    const placed = placeStep(k, model, fragments, laid, figure);
    return drawStep(drawing, k, placed, routeArrows(placed, figure));
  });
  const shared = sharedPart(drawing);
  const { width, height } = figure;
  return shared === undefined ? { width, height, steps } : { width, height, steps, shared: svgBytes(shared), sharedTree: shared };
}
