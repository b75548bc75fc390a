/**
 * Docusaurus client module. Docusaurus calls `onRouteDidUpdate` after the first render (hydration included) and after
 * every client-side navigation: the stepper is loaded then, only on a page with a figure, so it never changes the
 * server-rendered DOM before React has hydrated it, and later figures are set up through `memtrace:init`.
 */
let stepper: Promise<unknown> | undefined;

/** Docusaurus' client lifecycle: the new route is rendered. */
export function onRouteDidUpdate(): void {
  if (!document.querySelector('figure.memtrace:not([data-memtrace=ready])')) return;
  stepper ??= import('../client/stepper.ts');
  void stepper.then(() => document.dispatchEvent(new Event('memtrace:init')));
}
