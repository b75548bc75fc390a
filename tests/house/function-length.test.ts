/**
 * Short functions in the package: Biome's noExcessiveLinesPerFunction counts only body lines, so this counts a
 * function from its first line to its last (scripts/longest-functions.ts) and fails on one over 80.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

test('no function in plugin/src is over 80 lines', () => {
  const run = spawnSync(process.execPath, ['scripts/longest-functions.ts', '--max', '80'], {
    cwd: root,
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).toBe(0);
});
