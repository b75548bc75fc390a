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
  /** What every id in the figure's SVGs starts with. */
  idPrefix: string;
}

/** A figure drawn on a thread, and its JSON as the thread wrote it: the text, and its UTF-8 bytes. */
export interface DrawnFigure {
  figure: RenderedFigure;
  json: string;
  bytes: Uint8Array;
}

/** What a thread answers: the figure's JSON (text and UTF-8 bytes), or why drawing failed. */
export type DrawAnswer = { json: string; bytes: Uint8Array } | { error: string };

const here = dirname(fileURLToPath(import.meta.url));
// At dev time this module runs as .ts (Node type stripping, vitest) and the thread must too; once built, both are .js.
const threadScript = join(here, import.meta.url.endsWith('.ts') ? 'draw-thread.ts' : 'draw-thread.js');

/** A figure waiting for a thread, with the promise that gives it back. */
interface Pending {
  job: DrawJob;
  resolve: (f: DrawnFigure) => void;
  reject: (e: Error) => void;
}

/** A thread, and the figure it is drawing if any. */
interface Member {
  worker: Worker;
  drawing?: Pending;
}

/** What one drawing thread may hold at most, counted against the machine's memory: its heap and a long figure's trees. */
const THREAD_MB = 512;

/** How many threads to draw on: one per core, within a quarter of the machine's memory, at least one. */
export function drawPoolSize(): number {
  const byMemory = Math.floor(totalmem() / 4 / (THREAD_MB * 2 ** 20));
  return Math.max(1, Math.min(availableParallelism(), byMemory));
}

/**
 * A set of drawing threads, started as figures arrive and kept while the process needs them. Figures wait in one
 * queue and a thread takes the next only when it is free, so that a long figure holds up no figure behind it.
 */
export class DrawPool {
  readonly size: number;
  private readonly members: Member[] = [];
  private readonly queue: Pending[] = [];

  constructor(size = drawPoolSize()) {
    this.size = Math.max(1, size);
  }

  /** Draws a figure on the first free thread (a new one while fewer than `size` run and all are busy). */
  draw(job: DrawJob): Promise<DrawnFigure> {
    return new Promise<DrawnFigure>((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  /** Gives waiting figures to free threads, starting threads while there is room. */
  private dispatch(): void {
    while (this.queue.length > 0) {
      let member = this.members.find((m) => !m.drawing);
      if (!member && this.members.length < this.size) this.members.push((member = this.start()));
      if (!member) return;
      const pending = this.queue.shift()!;
      member.drawing = pending;
      // A thread at work keeps the process alive until it answers; an idle one does not.
      member.worker.ref();
      member.worker.postMessage(pending.job);
    }
  }

  private start(): Member {
    const worker = new Worker(threadScript);
    const member: Member = { worker };
    worker.unref();
    worker.on('message', (answer: DrawAnswer) => {
      const pending = member.drawing;
      member.drawing = undefined;
      worker.unref();
      if ('error' in answer) pending?.reject(new Error(answer.error));
      else
        pending?.resolve({ figure: JSON.parse(answer.json) as RenderedFigure, json: answer.json, bytes: answer.bytes });
      this.dispatch();
    });
    // A thread that dies (out of memory, say) fails the figure it held; the next figure gets a new thread.
    const fail = (error: Error) => {
      const at = this.members.indexOf(member);
      if (at >= 0) this.members.splice(at, 1);
      member.drawing?.reject(error);
      member.drawing = undefined;
      this.dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the drawing thread stopped (exit code ${code})`)));
    return member;
  }

  /** Threads running now. */
  get started(): number {
    return this.members.length;
  }

  /** Ends every thread; figures still waiting fail. */
  async close(): Promise<void> {
    const members = this.members.splice(0);
    for (const pending of this.queue.splice(0)) pending.reject(new Error('the drawing threads were closed'));
    await Promise.all(members.map((m) => m.worker.terminate()));
  }
}

let shared: DrawPool | undefined;

/** The process-wide drawing threads; they never keep the process alive while idle. */
export function sharedDrawPool(): DrawPool {
  shared ??= new DrawPool();
  return shared;
}
