/**
 * The "route arrows" stage of render(): for one step, every reference's dot and the route of its arrow to the box of
 * the object it points to (arrows.ts picks each route), live ones apart from those of faded (freed) objects.
 */
import { svgElement as el, type Element } from '../figure/hast.ts';
import { route, type Pt } from './arrows.ts';
import type { FigurePlacement, StepPlacement } from './positions.ts';

/** Dots and arrow paths of one step: index 0 live, 1 faded. */
export interface StepArrows {
  dots: [Pt[], Pt[]];
  /** `<path>` elements, one per arrow. */
  paths: [Element[], Element[]];
}

/** Routes every arrow of a step, in the order of its dots; a dot whose target is not drawn gets no arrow. */
export function routeArrows(step: StepPlacement, figure: FigurePlacement): StepArrows {
  const dots: [Pt[], Pt[]] = [[], []];
  const paths: [Element[], Element[]] = [[], []];
  const columnUse = new Map<number, number>();
  const { obstacles, labels } = step;
  const { lanes, columns } = figure;
  for (const s of step.sources) {
    const i = s.faded ? 1 : 0;
    dots[i].push(s.from);
    const target = step.targets.get(s.target);
    if (!target) continue;
    paths[i].push(el('path', { d: route({ from: s.from, source: s.source, cell: s.cell, target, obstacles, labels, lanes, columns, columnUse }) }));
  }
  return { dots, paths };
}
