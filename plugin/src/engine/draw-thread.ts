/** A drawing thread of draw-pool.ts: draws each figure it is sent and answers with the figure's JSON, as text and UTF-8. */
import { parentPort } from 'node:worker_threads';
import type { DrawAnswer, DrawJob } from './draw-pool.ts';
import { drawFigure } from './figure-entry.ts';

parentPort!.on('message', async ({ code, trace, steps, opts, idPrefix }: DrawJob) => {
  let answer: DrawAnswer;
  let handedOver: ArrayBuffer[] = [];
  try {
    const json = JSON.stringify(await drawFigure(code, trace, steps, opts, idPrefix));
    // Its UTF-8 too, for the cache file: encoded here rather than on the build's thread, and handed over, not copied.
    const bytes = new TextEncoder().encode(json);
    answer = { json, bytes };
    handedOver = [bytes.buffer];
  } catch (error) {
    answer = { error: (error as Error).message ?? String(error) };
  }
  parentPort!.postMessage(answer, handedOver);
});
