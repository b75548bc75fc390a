/**
 * The engine: what every Markdown adapter hands a block to. It parses the fence options, looks the block up in the
 * cache, otherwise traces it (a shared pool of sandboxed Pyodide runtimes, started on the first cache miss) and draws
 * it (on worker threads in a build, see ./draw-pool.ts), then wraps the figure. Adapters only find blocks and splice
 * the HTML back in.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import type { Root } from 'hast';
import type { FigureAssets } from '../figure/index.ts';
import type { RenderedFigure } from '../render/index.ts';
import { WINDOW, type StepPages } from '../figure/windows.ts';
import { htmlBytes, type ElementContent } from '../figure/hast.ts';
import { attachNotes, parseNotes } from '../notes/index.ts';
import { sharedPool, type TraceRunner } from '../trace/index.ts';
import { cacheKey, createCache, type Cache } from './cache.ts';
import { freePlacement, placeFigure, takePlacement, type Placement } from './place.ts';
import { slotRegistry } from './slots.ts';
import { sharedDrawPool } from './draw-pool.ts';
import { fileWork } from './in-flight.ts';
import { placedStore, type PlacedStore } from './placed.ts';
import { codeFrame, errorPanel, MemtraceError, type SourceLocation } from './errors.ts';
import {
  chooseSteps,
  drawFigure,
  figureIdOf,
  endOfTrace,
  resolveOptions,
  traceProgram,
  type Fail,
  type FigureEntry,
  type ResolvedOptions,
} from './figure-entry.ts';
import { isMemtraceBlock, OptionError, parseMeta, validateDefaults, type BlockOptions } from './options.ts';

export { isMemtraceBlock, MemtraceError, OptionError, parseMeta, type BlockOptions, type SourceLocation };

/** Where the engine reports progress, warnings and (in dev mode) errors; Astro's integration logger fits. */
export interface EngineLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** How an engine is set up by its adapter. */
export interface EngineOptions {
  /** Defaults for every block; a fence's own options win. */
  defaults?: BlockOptions;
  /** Directory of the on-disk cache; `false` or absent keeps results in memory only. */
  cacheDir?: string | false;
  /**
   * `'build'` (default): a block that cannot be traced throws a located {@link MemtraceError}.
   * `'dev'`: the figure is replaced by an error panel and the error is logged, so a dev server keeps running.
   * `'collect'`: the figure is replaced by an error panel and the error is kept in {@link Engine.errors}, for a host
   * that fails the build once every page was rendered, listing every block that failed (the Astro integration).
   */
  mode?: 'build' | 'dev' | 'collect';
  /**
   * Draw figures on worker threads, one per core (see ./draw-pool.ts). Default: in build and collect modes, where
   * many figures are drawn at once; a dev server draws the one block saved in its own thread, without the hand-off.
   */
  drawThreads?: boolean;
  /**
   * Where the stepper script and stylesheet come from: URLs (the Astro integration emits hashed files), or
   * `'inline'` (default) to inline them once per document, for pipelines that serve no extra files.
   */
  assets?: FigureAssets | 'inline';
  /**
   * Where long figures put their steps: given, a figure inlines a window of its steps and links a page of them all
   * (see figure/windows.ts); absent, every step stays inline.
   */
  stepPages?: StepPages;
  logger?: EngineLogger;
  /** The tracer to use; defaults to the process-wide sandboxed Pyodide runtime, started on first use. */
  runner?: TraceRunner;
  /** Project root: Markdown paths in messages are written relative to it. */
  root?: string;
  /**
   * Give figures as small placeholders (`<memtrace-slot>`), filled in by {@link Engine.fillSlots}.
   * - `true`, every figure, filled when a page is served. For dev servers: Astro keeps the rendered Markdown of every
   *   save for a while (its content layer's data store, compiled into a module again on each save), and figures are
   *   most of that text.
   * - A function, the blocks it picks, filled from the on-disk cache of placed figures (so `cacheDir` is needed),
   *   in the files the host writes. For static builds: the host carries a few bytes per figure through its pipeline
   *   instead of the figure (hundreds of kB).
   */
  slots?: boolean | ((block: Block) => boolean);
  /**
   * Called with each block that failed, as it fails (every mode). The Astro integration uses it to keep Astro's
   * content layer from serving the failed render again on the next run.
   */
  onError?: (error: MemtraceError) => void;
}

/** A fenced block as an adapter found it. */
export interface Block {
  code: string;
  meta: string;
  /** Markdown file the block is in. */
  file?: string;
  /** Where the fence starts in the text the parser saw (1-based line and column). */
  position?: { line: number; column: number };
  /**
   * The text the parser saw, when it may be only the file's body: Astro's content collections parse Markdown without
   * its frontmatter, so positions are shifted by the frontmatter's lines. Given this, errors point at the file's lines.
   */
  source?: string;
}

/** Per-document state, created by the adapter for each Markdown file it processes. */
export interface DocumentState {
  /** Figures placed so far: the first one on a page brings the assets. */
  figures: number;
  /** Figure ids used so far, so that a block repeated on a page gets an id of its own. */
  ids: Set<string>;
}

/** A fresh {@link DocumentState}, for each Markdown file an adapter processes. */
export const newDocument = (): DocumentState => ({ figures: 0, ids: new Set() });

/** What the engine gives back for one block. */
export interface BlockResult {
  /** The figure (or, in dev and collect modes, the error panel), with the assets on a page's first figure, as hast. */
  tree: Root;
  /** The same, written as HTML, for hosts that splice in raw HTML. */
  html: string;
  /** Warnings about the block (step cap or timeout hit), also logged. */
  warnings: string[];
  /** Whether the figure came from the cache (memory or disk) rather than a new trace. */
  fromCache: boolean;
}

/** Counters of one engine, for the build summary and the bench. */
export interface EngineStats {
  /** Blocks handed to the engine. */
  blocks: number;
  /** Blocks traced (cache misses). */
  traced: number;
  /** Blocks served from the cache. */
  cached: number;
  /** Blocks that failed. */
  errors: number;
  /** Wall time during which at least one trace was running, in ms. */
  traceMs: number;
  /** Wall time during which at least one render was running, in ms. */
  renderMs: number;
  /** Traces skipped because the file had changed again before the block's turn came (dev server). */
  outdated: number;
}

/** The engine an adapter holds (see {@link createEngine}). */
export interface Engine {
  /**
   * Changes whenever figures could change without the Markdown changing (plugin, tracer, Pyodide or satori
   * version, defaults, asset names). Adapters put it in the site's config, so that Astro's content layer, which
   * keeps rendered Markdown across builds, renders the pages again.
   */
  readonly fingerprint: string;
  /** Turns one block into its figure's HTML (see {@link EngineOptions.mode} for what a failure does). */
  process(block: Block, doc?: DocumentState): Promise<BlockResult>;
  /** Counters so far (the Astro integration prints them at the end of a build). */
  readonly stats: EngineStats;
  /** Errors met so far, in build and collect modes (a dev server keeps none: each is logged and shown in place). */
  readonly errors: MemtraceError[];
  /** Replaces the placeholders of `html` (see {@link EngineOptions.slots}) with their figures. */
  fillSlots(html: string): string;
  /** Settles once no block of the Markdown file `file` is being processed; `undefined` when none is now. */
  settled(file: string): Promise<void> | undefined;
  /** Closes the runner given in {@link EngineOptions.runner} (the shared runtime ends with the process). */
  close(): Promise<void>;
}

/** Lines before the text the parser saw: the frontmatter that content collections strip (0 when it saw the whole file). */
function lineOffset(block: Block): number {
  if (!block.file || block.source === undefined) return 0;
  const text = readText(block.file);
  // Content collections also trim the body, so look for it rather than assume it ends the file.
  const at = text !== undefined && block.source.length > 0 ? text.indexOf(block.source) : -1;
  return at > 0 ? text!.slice(0, at).split('\n').length - 1 : 0;
}

const readText = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * Whether the block's file was saved again without this block since the parser read it: its trace would show a
 * version the author no longer has, so the dev server skips it (the next render, of the new version, follows).
 */
function isOutdated(block: Block): boolean {
  if (!block.file || block.source === undefined) return false;
  const text = readText(block.file);
  return text !== undefined && !text.replace(/\r\n?/g, '\n').includes(block.code);
}

/**
 * Wall time during which at least one call was running. Blocks of several pages wait on one runtime at once, so
 * summing each call's duration would count the same seconds many times over.
 */
function busyClock(add: (ms: number) => void) {
  let running = 0;
  let since = 0;
  return {
    async time<T>(fn: () => Promise<T>): Promise<T> {
      if (running++ === 0) since = performance.now();
      try {
        return await fn();
      } finally {
        if (--running === 0) add(performance.now() - since);
      }
    },
  };
}

/** Locates blocks and things inside them in their Markdown file, with paths relative to `root` when given. */
function locator(root: string | undefined) {
  const shown = (file: string | undefined) =>
    file && root && isAbsolute(file) && !relative(root, file).startsWith('..') ? relative(root, file) : file;
  const locate = (block: Block, at?: { line: number; column: number }): SourceLocation | undefined =>
    block.position && {
      file: shown(block.file),
      line: lineOffset(block) + block.position.line + (at?.line ?? 0),
      column: at ? block.position.column + at.column - 1 : block.position.column,
    };
  const fail =
    (block: Block): Fail =>
    (reason, at, hint) => {
      const location = locate(block, at);
      const frame = at && location ? codeFrame(block.code, at.line, at.column, location.line - at.line + 1) : undefined;
      return new MemtraceError(reason, location, frame, hint);
    };
  const where = (block: Block, at?: { line: number; column: number }) => {
    const l = locate(block, at);
    return l ? `${l.file ?? '<markdown>'}:${l.line}:${l.column}` : (shown(block.file) ?? 'a block');
  };
  return { fail, where };
}

/** A block's options; a malformed fence is a located error. */
function blockOptions(defaults: BlockOptions, block: Block, fail: Fail): ResolvedOptions {
  try {
    return resolveOptions(defaults, parseMeta(block.meta));
  } catch (error) {
    if (error instanceof OptionError) throw fail(error.message);
    throw error;
  }
}

/**
 * Runs the calls given to it, at most `n` at a time, starting them in the order they were given (with `n` = 1, one
 * after another). A finished call hands its place to the next waiting one.
 */
function lanes(n: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (running < n) running++;
    else await new Promise<void>((go) => waiting.push(go));
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/** Logs how far a long build is, at most every 3 s (a dev server has no use for it). */
function progressLog(stats: EngineStats, logger: EngineLogger | undefined) {
  let last = Date.now();
  return () => {
    const now = Date.now();
    if (now - last <= 3000 || !logger) return;
    last = now;
    logger.info(
      `${stats.blocks} block${stats.blocks === 1 ? '' : 's'} so far (${stats.traced} traced, ${stats.cached} from cache)`,
    );
  };
}

/** Thrown (and caught in `process`) when a block's file changed before its trace began. */
class Outdated extends Error {}

/** What the engine's steps share: its setup, counters, cache, clocks, and the tracer once started. */
interface EngineState {
  options: EngineOptions;
  defaults: BlockOptions;
  mode: NonNullable<EngineOptions['mode']>;
  cache: Cache<FigureEntry>;
  stats: EngineStats;
  errors: MemtraceError[];
  /** Makes a located error for a block (see {@link locator}). */
  fail: (block: Block) => Fail;
  /** Where a block, or a place in it, is, as `file:line:column`. */
  where: (block: Block, at?: { line: number; column: number }) => string;
  tracing: ReturnType<typeof busyClock>;
  rendering: ReturnType<typeof busyClock>;
  slots: ReturnType<typeof slotRegistry>;
  progress: () => void;
  /** Runs a trace when a lane is free. */
  inTurn: ReturnType<typeof lanes>;
  /** The tracer: the one given, or the shared pool, started on the first cache miss. */
  runner: TraceRunner | undefined;
  /** Figures as placed on their pages, with an on-disk cache and no placeholders (see ./placed.ts). */
  placed: PlacedStore | undefined;
  /** What of the host a placed figure's HTML depends on: the assets' and step pages' URLs. */
  hostKey: unknown;
  /** Blocks being processed, by Markdown file. */
  work: ReturnType<typeof fileWork>;
  /** Figures are drawn on worker threads (see EngineOptions.drawThreads). */
  drawThreads: boolean;
}

/** A new engine's state, from its adapter's options. */
function engineState(options: EngineOptions): EngineState {
  const defaults = validateDefaults(options.defaults as Record<string, unknown> | undefined);
  const cache: Cache<FigureEntry> = createCache(options.cacheDir || undefined);
  const mode = options.mode ?? 'build';
  const stats: EngineStats = { blocks: 0, traced: 0, cached: 0, errors: 0, traceMs: 0, renderMs: 0, outdated: 0 };
  const { fail, where } = locator(options.root);
  const placed = options.cacheDir && options.slots !== true ? placedStore(options.cacheDir) : undefined;
  return {
    options,
    defaults,
    mode,
    cache,
    stats,
    errors: [],
    fail,
    where,
    tracing: busyClock((ms) => (stats.traceMs += ms)),
    rendering: busyClock((ms) => (stats.renderMs += ms)),
    slots: slotRegistry(cache, placed, options),
    progress: progressLog(stats, mode === 'dev' ? undefined : options.logger),
    // Traces run side by side on the shared pool's children; a runner given by the caller gets one at a time.
    inTurn: lanes(options.runner ? 1 : sharedPool().size),
    runner: options.runner,
    placed,
    hostKey: {
      assets: options.assets ?? 'inline',
      pages: options.stepPages && { url: options.stepPages.url('*'), style: options.stepPages.style, window: WINDOW },
    },
    work: fileWork(),
    drawThreads: options.drawThreads ?? mode !== 'dev',
  };
}

/** Traces a block and renders its figure: the cache entry of a block not seen before. */
async function buildEntry(
  state: EngineState,
  block: Block,
  opts: ResolvedOptions,
  key: string,
): Promise<{ entry: FigureEntry; json?: Uint8Array[] }> {
  const { stats, where } = state;
  const failHere = state.fail(block);
  // The program as traced and shown: the author's notes taken out of it (see notes/), line numbers mapped back.
  const program = parseNotes(block.code, { keep: opts.notes === 'keep' });
  const failInProgram: Fail = (reason, at, hint) =>
    failHere(reason, at && { line: program.sourceLine(at.line), column: at.column }, hint);
  const traced = await state.inTurn(() => {
    // Checked when the block's turn comes: a file saved again meanwhile has a newer render waiting behind it.
    if (state.mode === 'dev' && isOutdated(block)) throw new Outdated();
    state.runner ??= sharedPool();
    stats.traced++;
    return state.tracing.time(() => traceProgram(state.runner!, program.code, opts, failInProgram));
  });
  // Each step gets its author's note; a note that shows nowhere is a warning at its place in the Markdown file.
  const { trace, warnings: missed } = attachNotes(traced, program);
  const warnings = [...program.warnings, ...missed].map((w) => `${where(block, w)}: ${w.message}`);
  const end = endOfTrace(trace, opts, where(block));
  if (end) warnings.push(end.warning);
  const { steps, start } = chooseSteps(program.code, trace, opts, failInProgram);
  const drawnId = figureIdOf(key);
  const idPrefix = `${drawnId}-`;
  const drawn = await state.rendering.time(
    async (): Promise<{ figure: RenderedFigure; bytes?: Uint8Array }> =>
      state.drawThreads
        ? sharedDrawPool().draw({ code: program.code, trace, steps, opts, idPrefix })
        : { figure: await drawFigure(program.code, trace, steps, opts, idPrefix) },
  );
  const entry: FigureEntry = { figure: drawn.figure, drawnId, start, warnings, note: end?.note, code: program.code };
  return { entry, json: drawn.bytes && entryJson(entry, drawn.bytes) };
}

/**
 * The cache's JSON (UTF-8, in pieces) of an entry whose figure's JSON a drawing thread wrote and encoded: that part is
 * neither written, encoded nor copied again.
 */
function entryJson({ figure, ...rest }: FigureEntry, figureJson: Uint8Array): Uint8Array[] {
  const others = JSON.stringify(rest);
  return [Buffer.from('{"figure":'), figureJson, Buffer.from(others === '{}' ? '}' : `,${others.slice(1)}`)];
}

/** A block's cache entry: from the cache, or built and cached. */
async function entryFor(
  state: EngineState,
  block: Block,
  opts: ResolvedOptions,
  key: string,
): Promise<{ entry: FigureEntry; fromCache: boolean }> {
  const hit = state.cache.get(key);
  if (hit) {
    state.stats.cached++;
    return { entry: hit, fromCache: true };
  }
  const { entry, json } = await buildEntry(state, block, opts, key);
  state.cache.set(key, entry, json);
  return { entry, fromCache: false };
}

/** What a block that failed gives, by mode: thrown (build), or an error panel logged (dev) or kept (collect). */
function failedBlock(state: EngineState, block: Block, error: unknown): BlockResult {
  const { stats, options, mode } = state;
  if (error instanceof Outdated) {
    stats.outdated++;
    // Never cached and never shown for long: the render of the file's new version replaces it.
    return { tree: { type: 'root', children: [] }, html: '', warnings: [], fromCache: false };
  }
  const located =
    error instanceof MemtraceError
      ? error
      : state.fail(block)(`memtrace failed on this block: ${(error as Error).message ?? error}`);
  stats.errors++;
  options.onError?.(located);
  if (mode === 'dev') options.logger?.error(located.message);
  else state.errors.push(located);
  if (mode === 'build') throw located;
  const tree: Root = { type: 'root', children: [errorPanel(located)] };
  return { tree, html: htmlBytes(tree), warnings: [], fromCache: false };
}

/** The key of a figure's HTML as placed (see ./placed.ts). */
const placedKey = (state: EngineState, key: string, place: Placement) => cacheKey({ key, place, host: state.hostKey });

/** A block's figure where it goes on its page: its place, and the key of its placed HTML (see ./placed.ts). */
interface Spot {
  key: string;
  opts: ResolvedOptions;
  place: Placement;
  placedKey: string;
}

/**
 * The block's figure as placed before at a spot like this one, if kept (its step pages go to the host again), or its
 * placeholder when `slot` (its HTML is read only when the placeholder is filled).
 */
function placedHit(state: EngineState, spot: Spot, doc: DocumentState, slot: boolean): BlockResult | undefined {
  const { placed, options, stats } = state;
  const hit = placed?.get(spot.placedKey);
  const html = slot ? '' : hit && placed?.html(spot.placedKey);
  if (!placed || !hit || html === undefined) return undefined;
  takePlacement(spot.place, doc);
  const pages = options.stepPages;
  for (const name of hit.pages) {
    const path = placed.pagePath(name);
    if (pages?.addFile) pages.addFile(name, path);
    else pages?.add(name, readFileSync(path));
  }
  stats.cached++;
  for (const w of hit.warnings) options.logger?.warn(w);
  state.progress();
  if (slot) return placedSlot(state, hit.warnings, true, spot.placedKey);
  let tree: Root | undefined;
  // Hosts that take HTML never ask for the tree; one that does gets it placed again from the figure cache.
  const placeAgain = (): Root => {
    const entry = state.cache.get(spot.key);
    if (entry) return placeFigure(entry, spot.opts, spot.place, options).tree;
    return { type: 'root', children: [{ type: 'raw', value: html } as unknown as ElementContent] };
  };
  return {
    html,
    get tree() {
      tree ??= placeAgain();
      return tree;
    },
    warnings: hit.warnings,
    fromCache: true,
  };
}

/** Places the figure on its page, and keeps the HTML (with the step pages it links) when there is a placed store. */
function placeAndKeep(state: EngineState, entry: FigureEntry, spot: Spot): { tree: Root; html: string } {
  const { options, placed } = state;
  const pages: [string, Uint8Array][] = [];
  const stepPages = options.stepPages && {
    ...options.stepPages,
    add(name: string, html: Uint8Array) {
      pages.push([name, html]);
      options.stepPages!.add(name, html);
    },
  };
  const figure = placeFigure(entry, spot.opts, spot.place, { assets: options.assets, stepPages });
  placed?.set(spot.placedKey, { html: figure.html, warnings: entry.warnings }, pages);
  return figure;
}

/** Whether the block's figure is given as a placeholder (see {@link EngineOptions.slots}). */
const slotted = (options: EngineOptions, block: Block) =>
  typeof options.slots === 'function' ? options.slots(block) : options.slots === true;

/** A placeholder for the figure kept in the placed store under `key`. */
function placedSlot(state: EngineState, warnings: string[], fromCache: boolean, key: string): BlockResult {
  const tree: Root = { type: 'root', children: [state.slots.addPlaced(key)] };
  return { tree, html: htmlBytes(tree), warnings, fromCache };
}

/** One block to its figure, placed on its page (or its placeholder, with slots). */
async function processBlock(state: EngineState, block: Block, doc: DocumentState): Promise<BlockResult> {
  const { options } = state;
  state.stats.blocks++;
  try {
    const opts = blockOptions(state.defaults, block, state.fail(block));
    const key = cacheKey({ code: block.code, opts });
    const place = freePlacement(key, doc);
    const spot: Spot = { key, opts, place, placedKey: placedKey(state, key, place) };
    const slot = state.placed !== undefined && slotted(options, block);
    const hit = placedHit(state, spot, doc, slot);
    if (hit) return hit;
    const { entry, fromCache } = await entryFor(state, block, opts, key);
    for (const w of entry.warnings) options.logger?.warn(w);
    state.progress();
    // Taken only now: a block that failed takes no place (the next figure would bring the assets).
    takePlacement(place, doc);
    if (options.slots === true) {
      const tree: Root = { type: 'root', children: [state.slots.add(key, block, opts, place)] };
      return { tree, html: htmlBytes(tree), warnings: entry.warnings, fromCache };
    }
    const placedNow = placeAndKeep(state, entry, spot);
    if (slot) return placedSlot(state, entry.warnings, fromCache, spot.placedKey);
    // Not spread: that would read the tree, which is made only when a host asks for it.
    return Object.assign(placedNow, { warnings: entry.warnings, fromCache });
  } catch (error) {
    return failedBlock(state, block, error);
  }
}

/** Creates an engine; an adapter makes one per build or dev server. */
export function createEngine(options: EngineOptions = {}): Engine {
  const state = engineState(options);
  return {
    fillSlots: state.slots.fill,
    fingerprint: cacheKey({
      defaults: state.defaults,
      assets: options.assets ?? 'inline',
      ...(options.stepPages ? { window: WINDOW } : {}),
    }).slice(0, 16),
    stats: state.stats,
    errors: state.errors,
    process: (block, doc = newDocument()) => state.work.track(block.file, () => processBlock(state, block, doc)),
    settled: state.work.settled,
    async close() {
      // The shared runtime outlives one engine (the dev server makes several); it ends with the process.
      if (options.runner) await options.runner.close?.();
    },
  };
}
