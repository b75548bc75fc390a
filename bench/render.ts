/**
 * Renderer benchmark, for `npm run bench`: time and bytes per step over a set of traces. Each trace is rendered
 * `runs` times (after one warm-up) and its time per step is the median run divided by its steps; the results are
 * medians over the traces.
 */
import { gzipSync } from 'node:zlib';
import type { Trace } from '../plugin/src/trace/format.ts';
import { render } from '../plugin/src/render/index.ts';

export interface RenderBench {
  medianMsPerStep: number;
  /** The same with each trace's fastest run instead of its median: less sensitive to a busy machine. */
  bestMsPerStep: number;
  /** Raw SVG bytes per step. */
  medianBytesPerStep: number;
  /** Each step's SVG gzipped on its own. */
  medianGzipBytesPerStep: number;
  /** What each step after the first adds to its figure gzipped as one stream (the figure's steps side by side). */
  medianMarginalGzipBytesPerStep: number;
  worstMarginalGzipBytesPerStep: number;
  traces: number;
  steps: number;
}

const median = (xs: number[]): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function benchRender(traces: Trace[], runs = 3): Promise<RenderBench> {
  const msPerStep: number[] = [];
  const bestPerStep: number[] = [];
  const raw: number[] = [];
  const gz: number[] = [];
  const marginal: number[] = [];
  let steps = 0;
  for (const trace of traces) {
    if (trace.steps.length === 0) continue;
    await render(trace, { idPrefix: 'mtbench-' });
    const times: number[] = [];
    let fig: Awaited<ReturnType<typeof render>> | undefined;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      fig = await render(trace, { idPrefix: 'mtbench-' });
      // The bytes are written when first read: count them, as a build writes every step.
      for (const step of fig.steps) void step.svg.length;
      times.push(performance.now() - t0);
    }
    msPerStep.push(median(times) / trace.steps.length);
    bestPerStep.push(Math.min(...times) / trace.steps.length);
    steps += trace.steps.length;
    const svgs = fig!.steps.map((s) => s.svg);
    const alone = svgs.map((s) => gzipSync(s).length);
    raw.push(...svgs.map((s) => Buffer.byteLength(s)));
    gz.push(...alone);
    if (svgs.length > 1) marginal.push((gzipSync(svgs.join('')).length - alone[0]!) / (svgs.length - 1));
  }
  return {
    medianMsPerStep: median(msPerStep),
    bestMsPerStep: median(bestPerStep),
    medianBytesPerStep: median(raw),
    medianGzipBytesPerStep: median(gz),
    medianMarginalGzipBytesPerStep: median(marginal),
    worstMarginalGzipBytesPerStep: marginal.length ? Math.max(...marginal) : 0,
    traces: msPerStep.length,
    steps,
  };
}
