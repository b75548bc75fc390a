/**
 * What `astro dev` does when an author saves a Markdown file, and how memtrace shortens and secures it.
 *
 * Astro's content layer re-renders the saved entry at once (its loader listens to Vite's file watcher), but writes
 * its data store only after 500 ms without a further change (a debounce meant for a full sync of many entries, with
 * no option to change it); pages see the new entry only once it is written. So when the watcher's listeners have done
 * their work for the saved file, the store is written at once ({@link contentFlush}): the page is up to date about
 * half a second sooner, figures or not. Their work includes reloading the content config, which Astro does after each
 * save of a content file: while it is reloading, Astro's `refreshContent` does nothing.
 *
 * An editor that saves in place truncates the file, then writes it: the watcher may report the change while the
 * file is still empty or half written, and Astro renders that version; and two quick saves render at once, the slower
 * render landing last. So each burst of changes to a Markdown file is reported once more when it has settled and its
 * renders are done. Astro compares the file's digest with the one it rendered and does nothing when they match.
 *
 * A file deleted while its render runs: Astro's loader drops the entry at once, then the render ends and stores it
 * again, and the deleted page would be served until a restart. So when a file's renders are done and it is gone, its
 * deletion is reported once more.
 */
import { existsSync } from 'node:fs';

/** The parts of Vite's file watcher (chokidar's `FSWatcher`, an `EventEmitter`) used here. */
export interface WatcherLike {
  on(event: string, listener: (...args: never[]) => unknown): unknown;
  emit(event: string, ...args: unknown[]): boolean;
}

/** Astro's `refreshContent` (given to `astro:server:setup`): one sync of the content layer, queued behind others. */
export type RefreshContent = (options: { loaders?: string[] }) => Promise<void>;

/** How long after a Markdown file's last change event it is reported once more (see {@link watchSaves}). */
export const SETTLE_MS = 300;

/** The watcher's events after which a content loader updates its entries. */
const ENTRY_EVENTS = new Set(['add', 'change', 'unlink']);
const isMarkdown = (file: unknown): file is string => typeof file === 'string' && /\.(md|mdx|markdown)$/.test(file);
const isPromise = (value: unknown): value is Promise<unknown> =>
  typeof (value as Promise<unknown> | undefined)?.then === 'function';

/**
 * Writes Astro's content data store now rather than after its debounce, by asking the content layer for a sync of
 * no loader (the name matches none): such a sync runs no loader and ends by writing what is pending. One at a time;
 * asked again meanwhile, it runs once more after.
 */
export function contentFlush(refresh: RefreshContent, onError: (error: unknown) => void) {
  let running: Promise<void> | undefined;
  let again = false;
  const flush = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = refresh({ loaders: ['\0memtrace:write-content-store'] })
      .catch(onError)
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          flush();
        }
      });
  };
  return flush;
}

/** Writes the content store early after a save of `file` (a page's Markdown is not content: it can skip it). */
export type ContentFlush = (file: string) => void;

/** Per Markdown file: its listeners at work, and what is due when they are done. */
interface FileState {
  /** Listener calls whose promise has not settled. */
  busy: number;
  /** A change came from the file itself since its last echo: one echo is due once it has settled. */
  echoDue: boolean;
  /** A listener started by a change from the file (not by an echo) ran since the last flush. */
  flushDue: boolean;
  /** A listener rendered the file (on 'add' or 'change') since its listeners were last all done. */
  rendered: boolean;
  /** Running until {@link SETTLE_MS} after the file's last change. */
  settling?: NodeJS.Timeout;
}

/**
 * Wraps the listeners added to the watcher from now on (Astro's content loaders add theirs after the integrations'
 * setup) so that the work each does for a Markdown file is followed to its end: a listener that returns a promise is
 * at work until it settles. The wrapper carries the listener as `.listener`, as `once` wrappers do, so that
 * `off(event, listener)` still removes it.
 */
function followListeners(
  watcher: WatcherLike,
  started: (file: string, event: string) => FileState,
  settled: (file: string, state: FileState) => void,
) {
  const on = watcher.on;
  watcher.on = function (this: WatcherLike, event: string, listener: (...args: never[]) => unknown) {
    if (!ENTRY_EVENTS.has(event) && event !== 'all') return on.call(this, event, listener);
    const wrapped = function (this: unknown, ...args: never[]) {
      const result = listener.apply(this, args);
      // An 'all' listener is given the event's name first.
      const isAll = event === 'all' && ENTRY_EVENTS.has(args[0] as string);
      const [file] = (isAll ? args.slice(1) : args) as unknown[];
      if (isMarkdown(file) && isPromise(result)) {
        const state = started(file, isAll ? (args[0] as string) : event);
        const done = () => settled(file, state);
        result.then(done, done);
      }
      return result;
    };
    return on.call(this, event, Object.assign(wrapped, { listener }));
  };
}

/**
 * Follows the saves of Markdown files through the dev server's watcher: writes Astro's content store as soon as the
 * file's listeners are done (see the module's comment), and reports each settled burst of changes once more, after
 * {@link SETTLE_MS} and once the renders it started are done (so that an echo never renders a version twice at once).
 * `settled` tells when memtrace's own work on a file ends: a page's Markdown is rendered when the page is requested,
 * by no watcher listener.
 */
export function watchSaves(
  watcher: WatcherLike,
  flush: ContentFlush | undefined,
  settled?: (file: string) => Promise<void> | undefined,
): void {
  const files = new Map<string, FileState>();
  let echoing: string | undefined;
  const state = (file: string) => {
    let s = files.get(file);
    if (!s) files.set(file, (s = { busy: 0, echoDue: false, flushDue: false, rendered: false }));
    return s;
  };
  const emit = (event: string, file: string) => {
    echoing = file;
    try {
      watcher.emit(event, file);
    } finally {
      echoing = undefined;
    }
  };
  const settle = (file: string, s: FileState) => {
    clearTimeout(s.settling);
    s.settling = setTimeout(() => {
      s.settling = undefined;
      echo(file, s);
    }, SETTLE_MS);
    s.settling.unref();
  };
  const echo = (file: string, s: FileState) => {
    if (s.busy > 0 || s.settling || !s.echoDue) return;
    // A page's render of an older version may still be running, and what ends last is served: echo after it.
    const rendering = settled?.(file);
    if (rendering) {
      rendering.then(() => settle(file, s));
      return;
    }
    s.echoDue = false;
    // A file deleted or renamed since: its loaders heard of it; a change would only make them fail to read it.
    if (existsSync(file)) emit('change', file);
    if (s.busy === 0) files.delete(file);
  };
  followListeners(
    watcher,
    (file, event) => {
      const s = state(file);
      s.busy++;
      if (file !== echoing) s.flushDue = true;
      if (event !== 'unlink') s.rendered = true;
      return s;
    },
    (file, s) => {
      if (--s.busy > 0) return;
      if (s.rendered && !existsSync(file)) {
        s.flushDue = true;
        emit('unlink', file);
      }
      s.rendered = false;
      if (s.flushDue) flush?.(file);
      s.flushDue = false;
      echo(file, s);
      if (s.busy === 0 && !s.settling && !s.echoDue) files.delete(file);
    },
  );
  watcher.on('change', (file: string) => {
    if (!isMarkdown(file) || file === echoing) return;
    const s = state(file);
    s.echoDue = true;
    settle(file, s);
  });
}

/**
 * Follows the dev server's saves (see the module's comment): `refresh` is Astro's `refreshContent` (absent, the
 * content store keeps Astro's own timing); Markdown under `pagesDir` is pages, no collection's entry, so nothing is
 * written (nor a sync logged) for it.
 */
export function followSaves(
  watcher: WatcherLike,
  refresh: unknown,
  pagesDir: string,
  logger: { warn(message: string): void },
  settled?: (file: string) => Promise<void> | undefined,
): void {
  const write =
    typeof refresh === 'function'
      ? contentFlush(refresh as RefreshContent, (error) =>
          logger.warn(`could not write the content store early: ${(error as Error).message ?? error}`),
        )
      : undefined;
  watchSaves(watcher, write && ((file) => (file.startsWith(pagesDir) ? undefined : write())), settled);
}
