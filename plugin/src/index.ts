/**
 * memtrace's public API. The default export is the Astro integration; the remark plugin, the engine, the tracer and
 * the renderer are there for other pipelines.
 */
import type { RenderedFigure, RenderOptions } from './render/index.ts';
import type { Trace } from './trace/format.ts';

export { default, MemtraceBuildError, type MemtraceIntegrationOptions } from './adapters/astro.ts';
export { default as remarkMemtrace } from './adapters/remark.ts';
export { createEngine, MemtraceError, type BlockOptions, type Engine, type EngineOptions } from './engine/index.ts';
export type { RenderOptions, RenderedFigure, RenderedStep } from './render/index.ts';
export { trace } from './trace/index.ts';
export type * from './trace/format.ts';

/** Draws every step of a trace as SVG, with its text version (see `RenderOptions`). Loads satori on first use. */
export async function render(trace: Trace, options?: RenderOptions): Promise<RenderedFigure> {
  return (await import('./render/index.ts')).render(trace, options);
}
