// Python Tutor conformance: traces every program in the shared conformance set with `format: 'pytutor'`, writes the
// candidates to a temporary directory and runs the shared comparer on them.
//
//   npx node scripts/conformance.ts [--json] [--diff-only] [--verbose] [--keep DIR] [--only NAME,...]
//
// Prints the comparer's report (its --json output with --json). Exit code: the comparer's.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { traceJsonInProcess } from './dev-run.ts';

import { CONFORMANCE_DIR as CONFORMANCE } from '../tests/conformance.ts';
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const only = option('--only')?.split(',');
const keep = option('--keep');
const outDir = keep ?? mkdtempSync(join(tmpdir(), 'memtrace-conformance-'));
mkdirSync(outDir, { recursive: true });

const programs = readdirSync(join(CONFORMANCE, 'programs'))
  .filter((f) => f.endsWith('.py'))
  .map((f) => f.slice(0, -3))
  .filter((name) => !only || only.includes(name))
  .sort();

const timings: [string, number][] = [];
for (const name of programs) {
  const code = readFileSync(join(CONFORMANCE, 'programs', name + '.py'), 'utf8');
  const t0 = performance.now();
  const json = await traceJsonInProcess(code, { format: 'pytutor' });
  timings.push([name, performance.now() - t0]);
  writeFileSync(join(outDir, name + '.json'), json);
}

const listFile = join(outDir, '.list');
writeFileSync(listFile, programs.join('\n') + '\n');
const compareArgs = [
  join(CONFORMANCE, 'compare.mjs'),
  '--ref',
  join(CONFORMANCE, 'ref314'),
  '--cand',
  outDir,
  '--list',
  listFile,
];
for (const f of ['--json', '--diff-only', '--verbose']) if (flag(f)) compareArgs.push(f);
const ignore = option('--ignore');
if (ignore) compareArgs.push('--ignore', ignore);
const result = spawnSync(process.execPath, compareArgs, { encoding: 'utf8' });
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
if (!flag('--json')) {
  const total = timings.reduce((s, [, ms]) => s + ms, 0);
  const slowest = [...timings].sort((a, b) => b[1] - a[1]).slice(0, 3);
  console.log(
    `traced ${programs.length} programs in ${total.toFixed(0)} ms (slowest: ${slowest.map(([n, ms]) => `${n} ${ms.toFixed(0)} ms`).join(', ')})`,
  );
  if (keep) console.log(`candidates kept in ${outDir}`);
}
if (!keep) rmSync(outDir, { recursive: true, force: true });
process.exit(result.status ?? 1);
