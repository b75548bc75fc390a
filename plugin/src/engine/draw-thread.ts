/** A drawing thread of draw-pool.ts: draws each figure it is sent and answers with the figure's JSON. */
import { parentPort } from 'node:worker_threads';
import type { DrawAnswer, DrawJob } from './draw-pool.ts';
import { drawFigure } from './figure-entry.ts';

parentPort!.on('message', async ({ code, trace, steps, opts }: DrawJob) => {
  let answer: DrawAnswer;
  try {
    answer = { json: JSON.stringify(await drawFigure(code, trace, steps, opts)) };
  } catch (error) {
    answer = { error: (error as Error).message ?? String(error) };
  }
  parentPort!.postMessage(answer);
});
