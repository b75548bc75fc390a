/** The pool of sandboxed runtimes: traces spread over its children, each the same as one runtime alone makes. */
import { availableParallelism } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { CORES_PER_CHILD, RuntimePool, poolSize } from '../../plugin/src/trace/pool.ts';
import { TraceRuntime } from '../../plugin/src/trace/runtime.ts';

const programs = [
  'x = [1, 2, 3]\ny = x\ny.append(4)\n',
  'def f(n):\n    return 1 if n < 2 else n * f(n - 1)\n\nprint(f(5))\n',
  'class P:\n    def __init__(self, a):\n        self.a = a\n\nps = [P(i) for i in range(3)]\n',
  'd = {"k": [1, (2, 3)]}\nd["j"] = d["k"]\n',
  's = set()\nfor i in range(4):\n    s.add(i * i)\n',
  'import sys\nx = object()\nprint(type(x).__name__, id(x) > 0)\n',
];

const pool = new RuntimePool({}, 2);
const single = new TraceRuntime();
afterAll(() => Promise.all([pool.close(), single.close()]));

describe('RuntimePool', () => {
  it('traces programs given at once on two children, each trace as one runtime alone makes it', async () => {
    const together = await Promise.all(programs.map((p) => pool.trace(p)));
    expect(pool.started).toBe(2);
    for (const [i, p] of programs.entries()) expect(together[i]).toEqual(await single.trace(p));
  });

  it('has at least one child, and no more than one per CORES_PER_CHILD cores', () => {
    expect(poolSize()).toBeGreaterThanOrEqual(1);
    expect(poolSize()).toBeLessThanOrEqual(Math.max(1, availableParallelism() / CORES_PER_CHILD));
    // A cap on memory that leaves no room for a second child still gets one.
    expect(poolSize({ rssLimitMb: 10_000_000 })).toBe(1);
  });
});
