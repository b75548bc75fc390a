/**
 * The memtrace stepper. The server renders every step of a figure as an item of an ordered list, so that a reader
 * without JavaScript (or a printer) sees them all; this module turns each figure into a one-step-at-a-time viewer
 * with buttons, a slider, keys, a shareable `#<figure-id>-step-<k>` hash and polite announcements.
 *
 * One small module with no imports: it is emitted as a single hashed asset and loaded only on pages with a figure.
 * `init` is idempotent (the `data-memtrace="ready"` mark) because Astro's view transitions fire `astro:page-load`
 * after every navigation, including the first one, while the module itself runs only once; other hosts' client
 * modules fire `memtrace:init` for the same reason.
 */

type Go = (k: number, byReader?: boolean) => void;

const figures = new WeakMap<Element, Go>();

/** The figure and 0-based step a `#<figure-id>-step-<k>` hash points to, if it names a figure on this page. */
const hashTarget = (): [Element, Go, number] | undefined => {
  const m = /^#(.+)-step-(\d+)$/.exec(location.hash);
  const fig = m && document.getElementById(m[1]);
  const go = fig && figures.get(fig);
  return go ? [fig, go, +m[2] - 1] : undefined;
};

/**
 * Fetches the page that holds every step of a long figure (`data-more`, see figure/windows.ts) and puts its steps,
 * and the definitions they share, in place of the window the page kept (only its own steps' definitions).
 */
const loadAllSteps = (fig: HTMLElement, list: Element): Promise<void> =>
  fetch(fig.dataset.more!)
    .then((r) => r.text())
    .then((t) => {
      const all = new DOMParser().parseFromString(t, 'text/html').getElementById(fig.id)!;
      fig.querySelector('.memtrace-defs')?.replaceWith(all.querySelector('.memtrace-defs')!);
      list.replaceChildren(...all.querySelectorAll('.memtrace-step'));
    });

/** Shows one step of the figure's list and hides the others, its text version open if the last one's was. */
function showStep(list: Element, step: HTMLElement, was: HTMLElement): void {
  const open = step.querySelector('details');
  // A reader who opened the text version wants it open on the next step too.
  if (open) open.open = !!was.querySelector('details')?.open;
  // `hidden` as well as the class: one step at a time even while the stylesheet is still on its way (a page that
  // Astro's router swapped in links it from the body, which the router does not wait for).
  list.querySelectorAll<HTMLElement>('.memtrace-step').forEach((s) => {
    const on = s === step;
    s.hidden = !on;
    s.classList.toggle('is-current', on);
    if (on) s.setAttribute('aria-current', 'step');
    else s.removeAttribute('aria-current');
  });
  // Where the code pane scrolls (a phone's column), the next line to run shows a third of the way down.
  const line = step.querySelector<HTMLElement>('.mt-n');
  const pane = line?.closest('pre');
  if (line && pane) pane.scrollTop = line.offsetTop - pane.clientHeight / 3;
}

/** The step a key asks for (arrows, Home, End); modified keys belong to the browser. */
const keyTarget = (e: KeyboardEvent, cur: number, n: number): number | undefined =>
  e.altKey || e.ctrlKey || e.metaKey || e.shiftKey
    ? undefined
    : ({ ArrowLeft: cur - 1, ArrowRight: cur + 1, Home: 0, End: n - 1 } as Record<string, number>)[e.key];

/** Tells a screen reader what the step a reader moved to shows, and puts the step in the page's address. */
function announce(live: HTMLElement, step: HTMLElement, label: string): void {
  const text = step.querySelector('.memtrace-text pre')?.textContent ?? '';
  // The renderer's text may open with the same "Step k of n, line L": say it once.
  live.textContent = text.startsWith(label) ? text : `${label}. ${text}`;
  // Keep the router's state (Astro stores its own there) and never scroll: only the address changes.
  history.replaceState(history.state, '', '#' + step.id);
}

/**
 * Brings a figure a hash pointed into view. The browser scrolls to the step itself, below the controls, and
 * re-applies that until the page has loaded; show the whole figure once it is done. `nearest`: a reader coming back
 * (reload, history) whose figure is already in view keeps their scroll position.
 */
function revealOnLoad(fig: HTMLElement): void {
  const show = () => fig.scrollIntoView({ block: 'nearest' });
  if (document.readyState === 'complete') show();
  else addEventListener('load', show, { once: true });
}

/**
 * Where the code is pinned over a tall stacked diagram (a phone's column), brings what the current step changed (its
 * change marks) into view below the code, after the reader stepped with a button or a key: the line that ran and
 * what it did are on screen together. Nothing moves when they already are.
 */
function reveal(fig: HTMLElement): void {
  const step = fig.querySelector('.is-current')!;
  const pane = step.querySelector<HTMLElement>('.mt-src');
  const pin = pane && getComputedStyle(pane);
  if (pin?.position !== 'sticky') return;
  let top = 1e9;
  let bottom = -1e9;
  for (const m of step.querySelectorAll('.mt-dia [stroke*=changed],.mt-dia [fill*=changed]')) {
    const r = m.getBoundingClientRect();
    if (r.height) {
      top = Math.min(top, r.top);
      bottom = Math.max(bottom, r.bottom);
    }
  }
  // Below the code once it is pinned (its own `top` and height), with a little room.
  const below = parseFloat(pin.top) + pane!.offsetHeight + 4;
  if (top > bottom || (top >= Math.max(below, pane!.getBoundingClientRect().bottom) && bottom <= innerHeight)) return;
  // At once, not smoothly: the reader asked for the step, and nothing animates for those who prefer reduced motion.
  scrollBy(0, top - below);
}

/** Turns one figure's list of steps into a stepper: its controls, keys and hash. */
function setup(fig: HTMLElement): void {
  fig.dataset.memtrace = 'ready';
  const part = (name: string) => fig.querySelector(`[data-mt=${name}]`) as HTMLElement;
  const range = part('range') as HTMLInputElement;
  const status = part('status');
  const live = part('live');
  const buttons = fig.querySelectorAll<HTMLButtonElement>('[data-go]');
  // A long figure holds only some of its steps; `data-more` names the page that holds them all (figure/windows.ts).
  const list = fig.querySelector('.memtrace-steps')!;
  const n = +range.max;
  const at = (k: number) => document.getElementById(`${fig.id}-step-${k + 1}`)!;
  let cur = +range.value - 1;
  let more: Promise<unknown> | undefined;

  const clamp = (k: number) => (k < 0 ? 0 : k < n ? k : n - 1);
  const target = (b: HTMLElement) => {
    const g = b.dataset.go;
    return clamp(g === 'first' ? 0 : g === 'last' ? n - 1 : cur + (g === 'next' ? 1 : -1));
  };

  const go: Go = (k, byReader) => {
    k = clamp(k);
    const step = at(k);
    if (!step) {
      // Fetch every step once, then show this one (a failed fetch leaves the figure where it was).
      more ??= loadAllSteps(fig, list);
      more.then(() => at(k) && go(k, byReader));
      return;
    }
    showStep(list, step, at(cur));
    const label = `Step ${k + 1} of ${n}, line ${step.dataset.line}`;
    status.textContent = label;
    range.value = String(k + 1);
    range.setAttribute('aria-valuetext', label);
    const moved = k !== cur;
    cur = k;
    for (const b of buttons) b.setAttribute('aria-disabled', String(target(b) === k));
    if (byReader && moved) announce(live, step, label);
  };

  // Buttons stay focusable at the ends (aria-disabled, not disabled) so keyboard focus is never dropped.
  for (const b of buttons)
    b.onclick = () => {
      go(target(b), true);
      reveal(fig);
    };
  range.oninput = () => go(+range.value - 1, true);
  fig.onkeydown = (e) => {
    // The slider handles its own keys (and reports through `input`).
    const k = e.target === range ? undefined : keyTarget(e, cur, n);
    if (k != null) {
      e.preventDefault();
      go(k, true);
      reveal(fig);
    }
  };
  if (!fig.hasAttribute('tabindex')) fig.tabIndex = 0;
  figures.set(fig, go);

  const t = hashTarget();
  if (t && t[0] === fig) {
    go(t[2]);
    revealOnLoad(fig);
  } else go(cur);
}

const init = () => {
  for (const fig of document.querySelectorAll<HTMLElement>('figure.memtrace:not([data-memtrace=ready])')) setup(fig);
};

init();
document.addEventListener('astro:page-load', init);
// The same for other single-page hosts (Docusaurus, VitePress): their adapters' client modules fire it after a route change.
document.addEventListener('memtrace:init', init);
// An in-page link to a step: the browser cannot scroll to a hidden step, so show it, then bring its figure into view.
addEventListener('hashchange', () => {
  const t = hashTarget();
  if (t) {
    t[1](t[2]);
    t[0].scrollIntoView({ block: 'nearest' });
  }
});
