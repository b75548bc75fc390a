/**
 * Loaded into the soak's dev server (`NODE_OPTIONS=--import …`, see bench/soak.ts). On SIGUSR2 it reads the command
 * in the file named by MEMTRACE_SOAK_PROBE and answers in `<that file>.<pid>.json`:
 * - `gc`: a collection of all the garbage there is, then the process's memory (`process.memoryUsage()`), so that each save is
 *   measured by what the server still holds rather than by when V8 last collected;
 * - `snapshot <file>`: the same collection, then a heap snapshot written to `<file>`.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';

const commands = process.env.MEMTRACE_SOAK_PROBE;
if (commands) {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  const answer = (value) => {
    const file = `${commands}.${process.pid}.json`;
    writeFileSync(`${file}.tmp`, JSON.stringify(value));
    renameSync(`${file}.tmp`, file);
  };
  process.on('SIGUSR2', () => {
    const [command, arg] = readFileSync(commands, 'utf8').trim().split(' ');
    // Twice, a tick apart: objects freed by the first collection's finalizers go in the second, a collection of
    // everything that can go (V8's 'last-resort' flavour, as under memory pressure or before a heap snapshot). A plain
    // gc() keeps V8's compilation cache, which holds the source of every module version evaluated, until memory runs
    // short: tens of MB of garbage that would read as memory held per save.
    gc();
    setTimeout(() => {
      gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
      if (command === 'snapshot') writeHeapSnapshot(arg);
      answer({ command, ...process.memoryUsage() });
    }, 50);
  });
}
