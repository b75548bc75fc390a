/**
 * VitePress client module, imported by every page that has a figure. VitePress is a single-page app: a figure that
 * arrives with a new route must be set up too, so this watches the document and fires `memtrace:init` when an
 * unready figure appears. The stepper is loaded on the first figure, after the page module ran (so after hydration
 * has started, never during server rendering).
 */
const unready = 'figure.memtrace:not([data-memtrace=ready])';
let stepper: Promise<unknown> | undefined;

function initFigures(): void {
  if (!document.querySelector(unready)) return;
  stepper ??= import('../client/stepper.ts');
  void stepper.then(() => document.dispatchEvent(new Event('memtrace:init')));
}

if (typeof document !== 'undefined') {
  new MutationObserver(initFigures).observe(document.documentElement, { childList: true, subtree: true });
  setTimeout(initFigures);
}
