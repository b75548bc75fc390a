/**
 * Renderer benchmark on this machine: the fixture traces, plus (with --conformance) every program of
 * the conformance programs (tests/fixtures/conformance) traced in-process.
 *
 *   npx node scripts/bench-render.ts [--conformance] [--runs N]
 */
import { CONFORMANCE_DIR } from '../tests/conformance.ts';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchRender } from '../bench/render.ts';
import { isTraceFailure, type Trace } from '../plugin/src/trace/format.ts';
import { FIXTURES } from '../tests/render/fixture-harness.ts';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 3;
const traces: Trace[] = readdirSync(FIXTURES).map(
  (c) => JSON.parse(readFileSync(join(FIXTURES, c, 'trace.json'), 'utf8')) as Trace,
);
console.log('fixtures', await benchRender(traces, runs));
const dir = join(CONFORMANCE_DIR, 'programs');
if (args.includes('--conformance') && existsSync(dir)) {
  const { traceInProcess } = await import('./dev-run.ts');
  const more: Trace[] = [];
  for (const f of readdirSync(dir)
    .filter((f) => f.endsWith('.py'))
    .sort()) {
    const r = await traceInProcess(readFileSync(join(dir, f), 'utf8'), { maxSteps: 300 });
    if (!isTraceFailure(r)) more.push(r);
  }
  console.log('conformance', await benchRender(more, runs));
}
