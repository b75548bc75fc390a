/**
 * From a block to a cacheable figure: trace the program, say how its trace ended, pick the steps to show and draw
 * them. Every failure is thrown as a {@link MemtraceError} located in the block (see `locate` in `./locate.ts`).
 */
import { TRACE_DEFAULTS } from '../defaults.ts';
import type { RenderedFigure } from '../render/index.ts';
import { isTraceFailure, type Trace, type TraceFailure, type TraceOptions } from '../trace/format.ts';
import type { TraceRunner } from '../trace/index.ts';
import type { MemtraceError } from './errors.ts';
import { breakpointLines, hiddenByComment, selectSteps, type BlockOptions } from './options.ts';

/** A block's options with every trace limit resolved from {@link TRACE_DEFAULTS}: nothing downstream falls back again. */
export interface ResolvedOptions extends BlockOptions {
  maxSteps: number;
  timeout: number;
}

/** Merges the site's defaults, a fence's options and the trace defaults, once per block. */
export function resolveOptions(defaults: BlockOptions, fence: BlockOptions): ResolvedOptions {
  const merged = { ...defaults, ...fence };
  return {
    ...merged,
    maxSteps: merged.maxSteps ?? TRACE_DEFAULTS.maxSteps,
    timeout: merged.timeout ?? TRACE_DEFAULTS.timeoutMs,
  };
}

/** What the tracer is asked for one block. */
export const traceOptions = (opts: ResolvedOptions): TraceOptions => ({
  maxSteps: opts.maxSteps,
  timeoutMs: opts.timeout,
  stdin: opts.stdin,
});

/** A traced and rendered block, as the cache keeps it. */
export interface FigureEntry {
  /** Drawn and packed (figure/packed.ts), with ids that start with `<drawnId>-`. */
  figure: RenderedFigure;
  /** The figure id the SVGs were drawn for ({@link figureIdOf} the cache key). */
  drawnId: string;
  /** Why the trace ended early, said under the figure. */
  note?: string;
  /** Index into figure.steps of the step shown first. */
  start: number;
  /** Said in the build log each time the block is used (from the cache too). */
  warnings: string[];
  /** The program as the reader sees it under the figure (notes taken out unless kept). */
  code: string;
}

/** Makes a located error for the block; `at` (1-based line and column in the program) points inside it. */
export type Fail = (reason: string, at?: { line: number; column: number }, hint?: string) => MemtraceError;

/** How a trace that did not run to its end is told: a note under the figure and a warning in the log. */
export interface EndOfTrace {
  note: string;
  warning: string;
}

/**
 * The one wording of an early end (step limit, timeout, memory). `where` names the block in the log
 * (`file:line:column`).
 */
export function endOfTrace(trace: Trace, opts: ResolvedOptions, where: string): EndOfTrace | undefined {
  const n = trace.steps.length;
  switch (trace.end.reason) {
    case 'step-limit':
      return {
        note: `Stopped after ${n} steps: the program was still running (max-steps=${opts.maxSteps}).`,
        warning: `${where}: memtrace stopped this program after ${n} steps (max-steps=${opts.maxSteps}); the figure shows them all.`,
      };
    case 'timeout':
      return {
        note: `Stopped after ${opts.timeout} ms, at step ${n}: the program was still running.`,
        warning: `${where}: memtrace stopped this program after ${opts.timeout} ms; the figure shows the ${n} steps recorded until then.`,
      };
    case 'memory':
      return {
        note: `The program ran out of memory after step ${n}.`,
        warning: `${where}: this program ran out of memory; the figure shows the steps until then.`,
      };
    default:
      return undefined;
  }
}

/** The located error for a program that could not be traced at all. */
export function failureError(failure: TraceFailure, opts: ResolvedOptions, fail: Fail): MemtraceError {
  switch (failure.kind) {
    case 'syntax': {
      const reason = failure.message.startsWith('SyntaxError') ? failure.message : `SyntaxError: ${failure.message}`;
      return fail(
        `${reason} (in a memtrace block)`,
        { line: failure.line ?? 1, column: failure.column ?? 1 },
        'Fix the Python in this block, or remove `memtrace` from its fence to show it as plain code.',
      );
    }
    case 'timeout':
      return fail(
        `memtrace could not trace this block: ${failure.message} ` +
          `(the limit is ${opts.timeout} ms; set a larger \`timeout=\` or make the program shorter)`,
      );
    default:
      return fail(`memtrace could not trace this block: ${failure.message}`);
  }
}

/** Traces the program; a failure becomes a located error. */
export async function traceProgram(
  runner: TraceRunner,
  code: string,
  opts: ResolvedOptions,
  fail: Fail,
): Promise<Trace> {
  const result = await runner.trace(code, traceOptions(opts));
  if (isTraceFailure(result)) throw failureError(result, opts, fail);
  if (result.steps.length === 0) throw fail('memtrace recorded no steps for this block (is it empty?)');
  return result;
}

/** The shown steps (indices into the trace) and the first one shown (index into those), from `steps=` and `start=`. */
export function chooseSteps(
  code: string,
  trace: Trace,
  opts: ResolvedOptions,
  fail: Fail,
): { steps: number[]; start: number } {
  const breaks = breakpointLines(code);
  const spec = opts.steps ?? (breaks.size > 0 ? 'breakpoints' : 'all');
  const steps = selectSteps(
    spec,
    trace.steps.map((s) => s.line),
    breaks,
  );
  if (steps.length === 0)
    throw fail(`\`steps=${spec}\` selects none of the ${trace.steps.length} steps of this program`);
  const start = opts.start === 'last' ? steps.length - 1 : typeof opts.start === 'number' ? opts.start - 1 : 0;
  if (start >= steps.length) throw fail(`\`start=${opts.start}\` is past the last of the ${steps.length} shown steps`);
  return { steps, start };
}

/**
 * The id a figure of cache key `key` has on a page where it is the first of its kind. Its SVGs are drawn with
 * `<this>-` as their id prefix, so that a page takes them as they are (see ./place.ts for a second one).
 */
export const figureIdOf = (key: string): string => `mt${key.slice(0, 8)}`;

/**
 * Draws the chosen steps, with ids that start with `idPrefix`, and packs the SVGs (figure/packed.ts): a figure
 * drawn here and one read from the cache are the same to everything downstream. Loads the renderer on first use: a
 * build whose blocks all come from the cache never loads satori.
 */
export async function drawFigure(
  code: string,
  trace: Trace,
  steps: number[],
  opts: ResolvedOptions,
  idPrefix: string,
): Promise<RenderedFigure> {
  const { render } = await import('../render/index.ts');
  return render(trace, {
    steps,
    title: opts.title,
    hide: [...(opts.hide ?? []), ...hiddenByComment(code)],
    heapPrimitives: opts.primitives === 'heap',
    showExited: opts.exitedFrames ?? true,
    showGenerated: opts.generatedMembers ?? false,
    idPrefix,
    layout: 'page',
    packed: true,
  });
}
