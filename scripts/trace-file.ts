// Dev helper: trace one file in-process and print the JSON. Usage: npx node scripts/trace-file.ts FILE [--format pytutor] [--pretty]
import { readFileSync } from 'node:fs';
import { traceJsonInProcess } from './dev-run.ts';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'))!;
const fi = args.indexOf('--format');
const format = fi >= 0 ? (args[fi + 1] as 'memtrace' | 'pytutor') : 'memtrace';
const t0 = performance.now();
const json = await traceJsonInProcess(readFileSync(file, 'utf8'), { format });
const ms = performance.now() - t0;
console.log(args.includes('--pretty') ? JSON.stringify(JSON.parse(json), null, 1) : json);
console.error(`traced in ${ms.toFixed(1)} ms`);
