/**
 * The "route arrows" stage of render(): for one step, every reference's dot and the route of its arrow to the box of
 * the object it points to (arrows.ts routes them together), live ones apart from those of faded (freed) objects.
 */
import { svgElement as el, type Element } from '../figure/hast.ts';
import { routeStep, type ArrowRequest, type Pt } from './arrows.ts';
import type { FigurePlacement, StepPlacement } from './positions.ts';
import type { Box } from './sheet.ts';

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
  const requests = drawn.map((s) => ({
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
  }));
  const routes = routedBefore(figure, requests, () => routeStep(requests));
  drawn.forEach((s, j) => paths[s.faded ? 1 : 0].push(el('path', { d: routes[j]! })));
  return { dots, paths };
}

/** Routes of recent steps of a figure, by what they were routed from. */
const recent = new WeakMap<FigurePlacement, Map<string, string[]>>();
const RECENT_KEPT = 32;

/**
 * The routes of an earlier step of the figure that had the same requests, or `route()`'s. Objects keep their places
 * from step to step, so a loop's steps often differ in values only: their arrows are routed once.
 */
function routedBefore(figure: FigurePlacement, requests: ArrowRequest[], route: () => string[]): string[] {
  let kept = recent.get(figure);
  if (!kept) recent.set(figure, (kept = new Map()));
  const key = requestsKey(requests);
  const hit = kept.get(key);
  if (hit) return hit;
  const routes = route();
  kept.set(key, routes);
  if (kept.size > RECENT_KEPT) kept.delete(kept.keys().next().value!);
  return routes;
}

/**
 * Everything routing reads from the requests, as text. Boxes are written once each and then named by number, so
 * that which request shares which box (routing compares boxes by identity) is part of the key too.
 */
function requestsKey(requests: ArrowRequest[]): string {
  const seen = new Map<Box, number>();
  const box = (b: Box | undefined): string => {
    if (!b) return '-';
    const n = seen.get(b);
    if (n !== undefined) return `#${n}`;
    seen.set(b, seen.size);
    return `${b.x},${b.y},${b.w},${b.h}`;
  };
  const q = requests[0];
  if (!q) return '';
  const shared = [
    q.obstacles.map(box).join(' '),
    [...(q.labels ?? [])].map(([b, l]) => `${box(b)}>${box(l)}`).join(' '),
    q.lanes.join(','),
    q.columns.join(','),
    q.canvas ? `${q.canvas.w}x${q.canvas.h}` : '',
    `${q.stacked ?? ''}${q.gutter ?? ''}`,
  ];
  const own = requests.map((r) => `${r.from.x},${r.from.y} ${box(r.source)} ${box(r.cell)} ${box(r.target)}`);
  return [...shared, ...own].join('|');
}
