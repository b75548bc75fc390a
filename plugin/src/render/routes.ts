/**
 * The "route arrows" stage of render(): for one step, every reference's dot and the route of its arrow to the box of
 * the object it points to (arrows.ts routes them together), live ones apart from those of faded (freed) objects.
 */
import { svgElement as el, type Element } from '../figure/hast.ts';
import { routeStep, type Pt } from './arrows.ts';
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
  const { obstacles, labels } = step;
  const { lanes, columns } = figure;
  for (const s of step.sources) dots[s.faded ? 1 : 0].push(s.from);
  // All arrows of a step are routed together, so that they keep apart from each other.
  const drawn = step.sources.filter((s) => step.targets.has(s.target));
  const canvas = { w: figure.width, h: figure.height };
  const routes = routeStep(
    drawn.map((s) => ({
      from: s.from,
      source: s.source,
      cell: s.cell,
      target: step.targets.get(s.target)!,
      obstacles,
      labels,
      lanes,
      columns,
      canvas,
      stacked: figure.suffix === 'n',
      ...(figure.suffix === 'n' ? { gutter: figure.objectsX } : {}),
    })),
  );
  drawn.forEach((s, j) => paths[s.faded ? 1 : 0].push(el('path', { d: routes[j]! })));
  return { dots, paths };
}
