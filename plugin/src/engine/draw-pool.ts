/**
 * Figures drawn on worker threads, one per core, so that a build draws several figures at once and its main thread
 * stays free to trace, place and write pages meanwhile. Drawing is a pure function of the trace and the options, so
 * a figure does not depend on which thread drew it. A figure comes back as its JSON, the form the cache keeps, so a
 * figure just drawn and one read from the cache are the same to everything downstream.
 */
import { availableParallelism, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RenderedFigure } from '../render/index.ts';
import type { Trace } from '../trace/format.ts';
import type { ResolvedOptions } from './figure-entry.ts';

/** What a thread is asked to draw: drawFigure's arguments. */
export interface DrawJob {
  code: string;
  trace: Trace;
  steps: number[];
  opts: ResolvedOptions;
}

/** A figure drawn on a thread, and its JSON as the thread wrote it. */
export interface DrawnFigure {
  figure: RenderedFigure;
  json: string;
}

/** What a thread answers: the figure's JSON, or why drawing failed. */
export type DrawAnswer = { id: number; json: string } | { id: number; error: string };

const here = dirname(fileURLToPath(import.meta.url));
// At dev time this module runs as .ts (Node type stripping, vitest) and the thread must too; once built, both are .js.
const threadScript = join(here, import.meta.url.endsWith('.ts') ? 'draw-thread.ts' : 'draw-thread.js');

interface Member {
  worker: Worker;
  jobs: Map<number, { resolve: (f: DrawnFigure) => void; reject: (e: Error) => void }>;
}

/** What one drawing thread may hold at most, counted against the machine's memory: its heap and a long figure's trees. */
const THREAD_MB = 512;

/** How many threads to draw on: one per core, within a quarter of the machine's memory, at least one. */
export function drawPoolSize(): number {
  const byMemory = Math.floor(totalmem() / 4 / (THREAD_MB * 2 ** 20));
  return Math.max(1, Math.min(availableParallelism(), byMemory));
}

/** A set of drawing threads, started as figures arrive and kept while the process needs them. */
export class DrawPool {
  readonly size: number;
  private readonly members: Member[] = [];
  private next = 0;

  constructor(size = drawPoolSize()) {
    this.size = Math.max(1, size);
  }

  /** Draws a figure on the least busy thread (a new one while fewer than `size` run and all are busy). */
  draw(job: DrawJob): Promise<DrawnFigure> {
    const member = this.pick();
    const id = this.next++;
    return new Promise<DrawnFigure>((resolve, reject) => {
      member.jobs.set(id, { resolve, reject });
      // A thread at work keeps the process alive until it answers; an idle one does not.
      member.worker.ref();
      member.worker.postMessage({ id, ...job });
    });
  }

  private pick(): Member {
    const idle = this.members.reduce<Member | undefined>(
      (a, b) => (!a || b.jobs.size < a.jobs.size ? b : a),
      undefined,
    );
    if (idle && (idle.jobs.size === 0 || this.members.length >= this.size)) return idle;
    const member = this.start();
    this.members.push(member);
    return member;
  }

  private start(): Member {
    const worker = new Worker(threadScript);
    const member: Member = { worker, jobs: new Map() };
    worker.unref();
    worker.on('message', (answer: DrawAnswer) => {
      const job = member.jobs.get(answer.id);
      member.jobs.delete(answer.id);
      if (member.jobs.size === 0) worker.unref();
      if (!job) return;
      if ('error' in answer) job.reject(new Error(answer.error));
      else job.resolve({ figure: JSON.parse(answer.json) as RenderedFigure, json: answer.json });
    });
    // A thread that dies (out of memory, say) fails the figures it held; the next figure gets a new thread.
    const fail = (error: Error) => {
      const at = this.members.indexOf(member);
      if (at >= 0) this.members.splice(at, 1);
      for (const job of member.jobs.values()) job.reject(error);
      member.jobs.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the drawing thread stopped (exit code ${code})`)));
    return member;
  }

  /** Threads running now. */
  get started(): number {
    return this.members.length;
  }

  /** Ends every thread. */
  async close(): Promise<void> {
    const members = this.members.splice(0);
    await Promise.all(members.map((m) => m.worker.terminate()));
  }
}

let shared: DrawPool | undefined;

/** The process-wide drawing threads; they never keep the process alive while idle. */
export function sharedDrawPool(): DrawPool {
  shared ??= new DrawPool();
  return shared;
}

/** Ends the process-wide drawing threads. */
export async function closeSharedDrawPool(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.close();
}
