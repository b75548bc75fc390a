/**
 * Starting the sandboxed child on a machine that is not at its best: a child that exits or hangs while loading is
 * replaced once by a fresh one, and a start that fails twice is one clear error. The child's Node binary is given as a
 * small shell script that misbehaves on purpose (then, where the test says so, runs the real Node).
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { sandboxNode, START_TIMEOUT_MS, TraceRuntime } from '../../plugin/src/trace/runtime.ts';
import { printed } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'mt-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An executable shell script standing in for the child's Node binary. (The child gets an empty environment.) */
function fakeNode(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('starting the child', () => {
  test('the default start limit leaves room for a busy machine', () => {
    expect(START_TIMEOUT_MS).toBeGreaterThanOrEqual(120_000);
  });

  test('a child that exits while loading is replaced once, and the program is traced', async () => {
    const tried = join(dir, 'tried');
    const node = fakeNode(
      'exits-once',
      `if [ -e '${tried}' ]; then exec '${sandboxNode()}' "$@"; fi\n: > '${tried}'\necho 'lost while loading' >&2\nexit 3`,
    );
    const runtime = new TraceRuntime({ nodePath: node, snapshotDir: false });
    try {
      expect(printed(await runtime.trace('print(6 * 7)'))).toBe('42\n');
      expect(runtime.stats.starts).toBe(2);
    } finally {
      await runtime.close();
    }
  });

  test('a start that times out twice fails with one clear error, after exactly two children', async () => {
    const runtime = new TraceRuntime({
      nodePath: fakeNode('hangs', 'exec /bin/sleep 30'),
      snapshotDir: false,
      startTimeoutMs: 300,
    });
    try {
      await expect(runtime.trace('x = 1')).rejects.toThrow(
        /did not start within 300 ms \(a second child, after the first also failed to start\): the machine may be too busy/,
      );
      expect(runtime.stats.starts).toBe(2);
    } finally {
      await runtime.close();
    }
  });

  test('a Node binary that cannot be run is not tried twice', async () => {
    const runtime = new TraceRuntime({ nodePath: join(dir, 'no-such-node'), snapshotDir: false });
    try {
      await expect(runtime.trace('x = 1')).rejects.toThrow(/could not start the Python sandbox/);
      expect(runtime.stats.starts).toBe(1);
    } finally {
      await runtime.close();
    }
  });
});
