/**
 * The engine: what every Markdown adapter hands a block to. It parses the fence options, looks the block up in the
 * cache, otherwise traces it (one shared Pyodide runtime, started on the first cache miss) and renders it, then wraps
 * the figure. Adapters only find blocks and splice the HTML back in.
 */
import { readFileSync } from 'node:fs';
import { renderFigure, type FigureAssets } from '../figure/index.ts';
import type { RenderedFigure } from '../render/index.ts';
import type { Trace, TraceFailure } from '../trace/format.ts';
import { sharedRuntime, type TraceRunner } from '../trace/index.ts';
import { cacheKey, createCache, type Cache } from './cache.ts';
import { codeFrame, errorPanel, MemtraceError, type SourceLocation } from './errors.ts';
import {
  breakpointLines,
  hiddenByComment,
  isMemtraceBlock,
  OptionError,
  parseMeta,
  selectSteps,
  validateDefaults,
  type BlockOptions,
} from './options.ts';

export { isMemtraceBlock, MemtraceError, OptionError, parseMeta, type BlockOptions, type SourceLocation };

export interface EngineLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface EngineOptions {
  /** Defaults for every block; a fence's own options win. */
  defaults?: BlockOptions;
  /** Directory of the on-disk cache; `false` or absent keeps results in memory only. */
  cacheDir?: string | false;
  /**
   * `'build'` (default): a block that cannot be traced throws a located {@link MemtraceError}.
   * `'dev'`: the figure is replaced by an error panel and the error is logged, so a dev server keeps running.
   */
  mode?: 'build' | 'dev';
  /**
   * Where the stepper script and stylesheet come from: URLs (the Astro integration emits hashed files), or
   * `'inline'` (default) to inline them once per document, for pipelines that serve no extra files.
   */
  assets?: FigureAssets | 'inline';
  logger?: EngineLogger;
  /** The tracer to use; defaults to the process-wide sandboxed Pyodide runtime, started on first use. */
  runner?: TraceRunner;
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
  figures: number;
  ids: Set<string>;
}

export const newDocument = (): DocumentState => ({ figures: 0, ids: new Set() });

export interface BlockResult {
  html: string;
  warnings: string[];
  fromCache: boolean;
}

export interface EngineStats {
  blocks: number;
  traced: number;
  cached: number;
  errors: number;
  traceMs: number;
  renderMs: number;
}

interface CacheEntry {
  figure: RenderedFigure;
  /** Why the trace ended early, said under the figure. */
  note?: string;
  /** Index into figure.steps of the step shown first. */
  start: number;
  warnings: string[];
}

export interface Engine {
  /**
   * Changes whenever figures could change without the Markdown changing (plugin, tracer, Pyodide or satori
   * version, defaults, asset names). Adapters put it in the site's config, so that Astro's content layer, which
   * keeps rendered Markdown across builds, renders the pages again.
   */
  readonly fingerprint: string;
  process(block: Block, doc?: DocumentState): Promise<BlockResult>;
  readonly stats: EngineStats;
  /** Errors met so far (in dev mode they were rendered as panels; in build mode also thrown). */
  readonly errors: MemtraceError[];
  close(): Promise<void>;
}

/** Lines before the text the parser saw: the frontmatter that content collections strip (0 when it saw the whole file). */
function lineOffset(block: Block): number {
  if (!block.file || block.source === undefined) return 0;
  let text: string;
  try {
    text = readFileSync(block.file, 'utf8');
  } catch {
    return 0;
  }
  // Content collections also trim the body, so look for it rather than assume it ends the file.
  const at = block.source.length > 0 ? text.indexOf(block.source) : -1;
  return at > 0 ? text.slice(0, at).split('\n').length - 1 : 0;
}

/** The cached SVGs carry a placeholder id prefix; only ids and references to them change, never a program's own text. */
const withIdPrefix = (svg: string, id: string) =>
  svg.replace(/(id="|url\(#|aria-labelledby="|href="#)mtPREFIX-/g, (_, lead: string) => `${lead}${id}-`);

/** What a reader must know about a trace that did not run to its end. */
function endNote(trace: Trace, opts: BlockOptions): string | undefined {
  const n = trace.steps.length;
  switch (trace.end.reason) {
    case 'step-limit':
      return `Stopped after ${n} steps: the program was still running (max-steps=${opts.maxSteps ?? DEFAULT_MAX_STEPS}).`;
    case 'timeout':
      return `Stopped after ${opts.timeout ?? DEFAULT_TIMEOUT_MS} ms, at step ${n}: the program was still running.`;
    case 'memory':
      return `The program ran out of memory after step ${n}.`;
    default:
      return undefined;
  }
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

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_STEPS = 1000;

export function createEngine(options: EngineOptions = {}): Engine {
  const defaults = validateDefaults(options.defaults as Record<string, unknown> | undefined);
  const cache: Cache<CacheEntry> = createCache(options.cacheDir || undefined);
  const mode = options.mode ?? 'build';
  const stats: EngineStats = { blocks: 0, traced: 0, cached: 0, errors: 0, traceMs: 0, renderMs: 0 };
  const errors: MemtraceError[] = [];
  let runner = options.runner;
  let lastProgress = Date.now();
  const tracing = busyClock((ms) => (stats.traceMs += ms));
  const rendering = busyClock((ms) => (stats.renderMs += ms));

  const locate = (block: Block, codeLine = 0, codeColumn = 1): SourceLocation | undefined =>
    block.position && {
      file: block.file,
      line: lineOffset(block) + block.position.line + codeLine,
      column: codeLine === 0 ? block.position.column : block.position.column + codeColumn - 1,
    };

  const fail = (block: Block, reason: string, codeLine = 0, codeColumn = 1): MemtraceError => {
    const location = locate(block, codeLine, codeColumn);
    const frame = codeLine > 0 && location ? codeFrame(block.code, codeLine, codeColumn, location.line - codeLine + 1) : undefined;
    return new MemtraceError(reason, location, frame);
  };

  const whereLabel = (block: Block) =>
    block.position ? `${block.file ?? '<markdown>'}:${block.position.line}:${block.position.column}` : (block.file ?? 'a block');

  async function build(block: Block, opts: BlockOptions): Promise<CacheEntry> {
    runner ??= sharedRuntime();
    const r = runner;
    const result: Trace | TraceFailure = await tracing.time(() =>
      r.trace(block.code, { maxSteps: opts.maxSteps ?? DEFAULT_MAX_STEPS, timeoutMs: opts.timeout ?? DEFAULT_TIMEOUT_MS, stdin: opts.stdin }),
    );
    stats.traced++;
    if ('kind' in result) {
      if (result.kind === 'syntax') {
        const reason = result.message.startsWith('SyntaxError') ? result.message : `SyntaxError: ${result.message}`;
        throw fail(block, `${reason} (in a memtrace block)`, result.line ?? 1, result.column ?? 1);
      }
      const hint =
        result.kind === 'timeout'
          ? ` (the limit is ${opts.timeout ?? DEFAULT_TIMEOUT_MS} ms; set a larger \`timeout=\` or make the program shorter)`
          : '';
      throw fail(block, `memtrace could not trace this block: ${result.message}${hint}`);
    }
    const warnings: string[] = [];
    const note = endNote(result, opts);
    if (result.end.reason === 'step-limit') {
      warnings.push(`${whereLabel(block)}: memtrace stopped this program after ${result.steps.length} steps (max-steps=${opts.maxSteps ?? DEFAULT_MAX_STEPS}); the figure shows them all.`);
    } else if (result.end.reason === 'timeout') {
      warnings.push(`${whereLabel(block)}: memtrace stopped this program after ${opts.timeout ?? DEFAULT_TIMEOUT_MS} ms; the figure shows the ${result.steps.length} steps recorded until then.`);
    } else if (result.end.reason === 'memory') {
      warnings.push(`${whereLabel(block)}: this program ran out of memory; the figure shows the steps until then.`);
    }
    if (result.steps.length === 0) throw fail(block, 'memtrace recorded no steps for this block (is it empty?)');

    const stepSpec = opts.steps ?? (breakpointLines(block.code).size > 0 ? 'breakpoints' : 'all');
    const steps = selectSteps(stepSpec, result.steps.map((s) => s.line), breakpointLines(block.code));
    if (steps.length === 0) throw fail(block, `\`steps=${stepSpec}\` selects none of the ${result.steps.length} steps of this program`);
    const start = opts.start === 'last' ? steps.length - 1 : typeof opts.start === 'number' ? opts.start - 1 : 0;
    if (start >= steps.length) {
      throw fail(block, `\`start=${opts.start}\` is past the last of the ${steps.length} shown steps`);
    }

    // Loaded on the first cache miss: a build whose blocks all come from the cache never pays for satori.
    const { render } = await import('../render/index.ts');
    const figure = await rendering.time(() => render(result, {
      steps,
      title: opts.title,
      hide: [...(opts.hide ?? []), ...hiddenByComment(block.code)],
      heapPrimitives: opts.primitives === 'heap',
      showExited: opts.exitedFrames ?? true,
      showGenerated: opts.generatedMembers ?? false,
      idPrefix: 'mtPREFIX-',
      shared: true,
    }));
    return { figure, start, warnings, note };
  }

  function progress() {
    const now = Date.now();
    if (now - lastProgress > 3000 && options.logger) {
      lastProgress = now;
      options.logger.info(`${stats.blocks} block${stats.blocks === 1 ? '' : 's'} so far (${stats.traced} traced, ${stats.cached} from cache)`);
    }
  }

  return {
    fingerprint: cacheKey({ defaults, assets: options.assets ?? 'inline' }).slice(0, 16),
    stats,
    errors,
    async process(block, doc = newDocument()) {
      stats.blocks++;
      try {
        let opts: BlockOptions;
        try {
          opts = { ...defaults, ...parseMeta(block.meta) };
        } catch (error) {
          if (error instanceof OptionError) throw fail(block, error.message);
          throw error;
        }
        const key = cacheKey({ code: block.code, opts });
        let entry = cache.get(key);
        const fromCache = entry !== undefined;
        if (entry) stats.cached++;
        else {
          entry = await build(block, opts);
          cache.set(key, entry);
        }
        for (const w of entry.warnings) options.logger?.warn(w);
        progress();

        // Ids must be unique on the page, so a block repeated in one document gets its own prefix.
        let id = `mt${key.slice(0, 8)}`;
        for (let n = 2; doc.ids.has(id); n++) id = `mt${key.slice(0, 8)}x${n}`;
        doc.ids.add(id);
        const html = renderFigure(
          {
            ...entry.figure,
            steps: entry.figure.steps.map((s) => ({ ...s, svg: withIdPrefix(s.svg, id) })),
            ...(entry.figure.shared === undefined ? {} : { shared: withIdPrefix(entry.figure.shared, id) }),
          },
          {
            id,
            title: opts.title,
            start: entry.start,
            code: block.code,
            assets: options.assets === undefined || options.assets === 'inline' ? 'inline' : options.assets,
            firstOnPage: doc.figures === 0,
            note: entry.note,
          },
        );
        doc.figures++;
        return { html, warnings: entry.warnings, fromCache };
      } catch (error) {
        const located =
          error instanceof MemtraceError ? error : fail(block, `memtrace failed on this block: ${(error as Error).message ?? error}`);
        stats.errors++;
        errors.push(located);
        if (mode === 'dev') {
          options.logger?.error(located.message);
          return { html: errorPanel(located), warnings: [], fromCache: false };
        }
        throw located;
      }
    },
    async close() {
      // The shared runtime outlives one engine (the dev server makes several); it ends with the process.
      if (options.runner) await options.runner.close?.();
    },
  };
}
