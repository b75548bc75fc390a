/**
 * Several sandboxed runtimes tracing at once, one per four cores, so that a cold build of many blocks on a large
 * machine does not wait for one child.
 * Each member is a {@link TraceRuntime}: its own child with the same sandbox, limits and isolation as when there is
 * one. The number of members is also bounded by memory: their resident-memory caps together stay within half of
 * the machine's memory. A trace does not depend on which child ran it (the tracer numbers objects per block).
 */
import { availableParallelism, totalmem } from 'node:os';
import type { Trace, TraceFailure, TraceOptions } from './format.ts';
import { TraceRuntime, type RuntimeOptions } from './runtime.ts';

/**
 * How many children to run: one per four cores, within half the machine's memory, at least one. A build draws far
 * more than it traces (a block's figure costs several times its trace), and the drawing threads take one core each
 * (engine/draw-pool.ts), so a child beyond what tracing needs only takes a core from them and costs a Pyodide start
 * of its own. On 2 cores (the 230-block scale site), one child instead of two made a cold build 0.90× as long
 * without a Pyodide snapshot and 0.95× with one, and cost 2.3 s less CPU.
 */
export function poolSize(options: RuntimeOptions = {}): number {
  // The child's own defaults (see RuntimeOptions): wasm heap cap, and that plus 768 MB of resident memory.
  const rss = options.rssLimitMb ?? (options.memoryLimitMb ?? 1024) + 768;
  const byMemory = Math.floor(totalmem() / 2 / (rss * 1024 * 1024));
  return Math.max(1, Math.min(Math.floor(availableParallelism() / CORES_PER_CHILD), byMemory));
}

/** Cores per tracing child: see {@link poolSize}. */
export const CORES_PER_CHILD = 4;

/** A set of {@link TraceRuntime}s that share the traces given to the pool. */
export class RuntimePool {
  /** Number of children the pool runs at most. */
  readonly size: number;
  private readonly members: { runtime: TraceRuntime; busy: number }[] = [];
  private first?: Promise<void>;

  private readonly options: RuntimeOptions;

  constructor(options: RuntimeOptions = {}, size = poolSize(options)) {
    this.options = options;
    this.size = Math.max(1, size);
  }

  /**
   * Traces one program on the least busy child. The first child starts alone (it may make the start-up snapshot the
   * others then load); the others start as traces arrive that would otherwise wait.
   */
  async trace(code: string, options?: TraceOptions): Promise<Trace | TraceFailure> {
    await this.start();
    let member = this.members.reduce((a, b) => (b.busy < a.busy ? b : a));
    if (member.busy > 0 && this.members.length < this.size) {
      member = { runtime: new TraceRuntime(this.options), busy: 0 };
      this.members.push(member);
    }
    member.busy++;
    try {
      return await member.runtime.trace(code, options);
    } finally {
      member.busy--;
    }
  }

  /**
   * Starts the first child unless it is started: a dev server does so when it is ready, so that the author's first
   * re-trace does not wait for Pyodide to load.
   */
  start(): Promise<void> {
    if (!this.first) {
      const runtime = new TraceRuntime(this.options);
      this.members.push({ runtime, busy: 0 });
      this.first = runtime.start();
    }
    return this.first;
  }

  /** Children started so far. */
  get started(): number {
    return this.members.length;
  }

  /** Ends every child. */
  async close(): Promise<void> {
    await Promise.all(this.members.map((m) => m.runtime.close()));
  }
}
