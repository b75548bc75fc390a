// Numbers for the runtime: start-up, per-block IPC overhead, time to stop each kind of runaway program.
// Run: npx node tests/runtime/measure.ts   (real child, real Pyodide; takes about a minute)
import { loadavg } from 'node:os';
import { TraceRuntime } from '../../plugin/src/trace/runtime.ts';
import { isTraceFailure } from '../../plugin/src/trace/format.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (x: number) => Math.round(x * 10) / 10;

console.log(`load average before: ${loadavg().map(round).join(' ')}`);

for (const snapshotDir of [undefined, false] as const) {
  const startups: number[] = [];
  const loads: number[] = [];
  if (snapshotDir === undefined) {
    const warm = new TraceRuntime(); // makes the snapshot if there is none yet
    await warm.start();
    await warm.close();
  }
  for (let i = 0; i < 5; i++) {
    const probe = new TraceRuntime({ snapshotDir });
    const t = performance.now();
    await probe.start();
    startups.push(performance.now() - t);
    loads.push(probe.stats.loadMs[0]);
    await probe.close();
  }
  const how = snapshotDir === false ? 'booting Pyodide' : 'from the snapshot';
  console.log(
    `start-up ${how} (spawn to ready), median of 5: ${round(median(startups))} ms  [${startups.map(Math.round).join(', ')}]`,
  );
  console.log(`  of which inside the child (Pyodide + tracer): ${round(median(loads))} ms`);
}

const runtime = new TraceRuntime();
await runtime.start();
const overheads: number[] = [];
const totals: number[] = [];
for (let i = 0; i < 50; i++) {
  const before = runtime.stats.childMs;
  const t = performance.now();
  await runtime.trace(`x = ${i}`);
  const total = performance.now() - t;
  totals.push(total);
  overheads.push(total - (runtime.stats.childMs - before));
}
console.log(
  `trivial block round trip, median of 50: ${round(median(totals))} ms; IPC + JSON overhead: ${round(median(overheads))} ms`,
);

const TIMEOUT = 1000;
const runaways: [string, string][] = [
  ['Python loop (tracer deadline)', 'n = 0\nwhile True:\n    n += 1\n'],
  ['one long C call', 'sum(range(10**12))'],
  [
    'loop swallowing BaseException',
    'while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass\n',
  ],
  ['time.sleep(60)', 'import time\ntime.sleep(60)'],
  [
    'JS busy loop',
    'import importlib\njs = importlib.import_module("js")\njs.process.getBuiltinModule("vm").runInThisContext("for (;;) {}")',
  ],
  ['append 1 MB strings (wasm cap 1 GB)', "x = []\nwhile True:\n    x.append('a' * 10**6)"],
  [
    'fill the JS heap',
    'import importlib\njs = importlib.import_module("js")\njs.process.getBuiltinModule("vm").runInThisContext("const a = []; for (;;) a.push(new Array(1e6).fill(1.5))")',
  ],
];
console.log(`runaways (timeoutMs ${TIMEOUT}, grace 2000 ms; time from request to result, child already up):`);
for (const [name, code] of runaways) {
  await runtime.start();
  const t = performance.now();
  const result = await runtime.trace(code, {
    timeoutMs: name.includes('strings') || name.includes('heap') ? 30_000 : TIMEOUT,
    maxSteps: 100_000,
  });
  const ms = performance.now() - t;
  const what = isTraceFailure(result)
    ? `failure ${result.kind}`
    : `trace, end ${result.end.reason} ${result.end.message ?? ''}, ${result.steps.length} steps`;
  const t2 = performance.now();
  await runtime.trace('x = 1');
  console.log(
    `  ${name}: stopped in ${Math.round(ms)} ms (${what}); next block after it: ${Math.round(performance.now() - t2)} ms`,
  );
}
console.log(`children started: ${runtime.stats.starts}, killed: ${runtime.stats.kills}`);
await runtime.close();
console.log(`load average after: ${loadavg().map(round).join(' ')}`);
