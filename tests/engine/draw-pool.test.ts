/**
 * Figures drawn on worker threads (engine/draw-pool.ts): the same figure as drawn in the build's own thread, a long
 * figure that holds up none of the figures after it, a drawing error that comes back as the same error, and an engine
 * that draws on threads and gives the same HTML as one that does not. Real Pyodide, satori and worker threads.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DrawPool } from '../../plugin/src/engine/draw-pool.ts';
import { drawFigure, resolveOptions } from '../../plugin/src/engine/figure-entry.ts';
import { createEngine, newDocument } from '../../plugin/src/engine/index.ts';
import { closeSharedRuntime, sharedRuntime, type Trace } from '../../plugin/src/trace/index.ts';

const pool = new DrawPool(2);
afterAll(async () => {
  await pool.close();
  await closeSharedRuntime();
});

const PROGRAMS = [
  'a = [1, 2]\nb = a\nb.append(3)\n',
  'def f(n):\n    return 1 if n < 2 else n * f(n - 1)\n\nprint(f(4))\n',
  'class Node:\n    def __init__(self, v, nxt=None):\n        self.v = v\n        self.nxt = nxt\n\nhead = Node(1, Node(2))\n',
];

async function traced(code: string): Promise<Trace> {
  const result = await sharedRuntime().trace(code);
  if ('kind' in result) throw new Error(result.message);
  return result;
}

describe('drawing threads', () => {
  it('draw the figure the build thread draws, several at once on two threads', async () => {
    const opts = resolveOptions({}, {});
    const traces = await Promise.all(PROGRAMS.map(traced));
    const jobs = traces.map((trace, i) => ({
      code: PROGRAMS[i]!,
      trace,
      steps: trace.steps.map((_, k) => k),
      opts,
      idPrefix: `mtd${i}-`,
    }));
    const onThreads = await Promise.all(jobs.map((j) => pool.draw(j)));
    for (const [i, j] of jobs.entries()) {
      const here = JSON.stringify(await drawFigure(j.code, j.trace, j.steps, j.opts, j.idPrefix));
      expect(onThreads[i]!.json).toBe(here);
      expect(JSON.stringify(onThreads[i]!.figure)).toBe(here);
      expect(onThreads[i]!.figure.steps).toHaveLength(j.trace.steps.length);
    }
    expect(pool.started).toBeLessThanOrEqual(2);
  });

  it('give a figure to the first free thread, so that a long one holds up none behind it', async () => {
    const opts = resolveOptions({}, {});
    const job = (trace: Trace, code: string) => ({
      code,
      trace,
      steps: trace.steps.map((_, k) => k),
      opts,
      idPrefix: 'mtd-',
    });
    const long = 'xs = []\nwhile True:\n    xs.append(len(xs) % 7)\n    if len(xs) > 30:\n        xs = []\n';
    const longTrace = await traced(long);
    expect(longTrace.steps).toHaveLength(1000);
    const short = await Promise.all(PROGRAMS.map(traced));
    const order: string[] = [];
    const fresh = new DrawPool(2);
    try {
      // The long figure goes first, to the first thread; the three short ones come after it, and the second thread
      // draws them all while the first is still busy.
      await Promise.all([
        fresh.draw(job(longTrace, long)).then(() => order.push('long')),
        ...short.map((t, i) => fresh.draw(job(t, PROGRAMS[i]!)).then(() => order.push(`short ${i}`))),
      ]);
    } finally {
      await fresh.close();
    }
    expect(order).toEqual(['short 0', 'short 1', 'short 2', 'long']);
  });

  it('fail with the error the drawing met', async () => {
    const trace = await traced('x = 1\n');
    const opts = resolveOptions({}, {});
    const threads = pool.started;
    await expect(pool.draw({ code: 'x = 1\n', trace, steps: [5], opts, idPrefix: 'mtd-' })).rejects.toThrow(
      'memtrace render: no step 5 (the trace has 2)',
    );
    // An error in a figure ends no thread: the same threads draw the next figure.
    const ok = await pool.draw({ code: 'x = 1\n', trace, steps: [0, 1], opts, idPrefix: 'mtd-' });
    expect(ok.figure.steps).toHaveLength(2);
    expect(pool.started).toBe(threads);
  });
});

describe('an engine', () => {
  it('gives the same HTML whether it draws on threads or not', async () => {
    const code = 'xs = [1, [2, 3]]\nys = xs[1]\nys.append(xs)\n';
    const block = { code, meta: 'memtrace', file: '/posts/a.md', position: { line: 3, column: 1 } };
    const quiet = { info() {}, warn() {}, error() {} };
    const threads = await createEngine({ logger: quiet, drawThreads: true }).process(block, newDocument());
    const here = await createEngine({ logger: quiet, drawThreads: false }).process(block, newDocument());
    expect(threads.html).toBe(here.html);
    expect(threads.html).toContain('<svg');
  });
});
