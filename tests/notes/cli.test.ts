/**
 * `memtrace trace` on a program with notes: a real process. The JSON carries each step's note and the code without
 * the notes; a note that shows nowhere is a warning on stderr, located in the file; a syntax error names the
 * author's line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Trace } from '../../plugin/src/trace/format.ts';

const CLI = resolve(import.meta.dirname, '../../plugin/src/cli.ts');
const dir = mkdtempSync(join(tmpdir(), 'memtrace-notes-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function memtrace(name: string, code: string, ...args: string[]) {
  const file = join(dir, name);
  writeFileSync(file, code);
  const run = spawnSync(process.execPath, [CLI, 'trace', file, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { file, code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('memtrace trace with notes', () => {
  it('prints the notes on their steps and warns about one that never shows', () => {
    const run = memtrace('notes.py', ['#: A list.', 'a = [1]', 'if not a:', '    a = None  #: Never.', 'print(a)'].join('\n'));
    expect(run.code).toBe(0);
    const trace = JSON.parse(run.stdout) as Trace;
    expect(trace.version).toBe(2);
    expect(trace.code).toBe(['a = [1]', 'if not a:', '    a = None', 'print(a)'].join('\n'));
    expect(trace.steps.flatMap((s, k) => (s.note ? [[k, s.note, trace.steps[k - 1]!.line]] : []))).toEqual([[1, 'A list.', 1]]);
    expect(run.stderr).toBe(`memtrace: ${run.file}:4:15: this note explains line 4, which never runs to its end in the trace (a note explains the line where a statement starts) (warning)\n`);
  });

  it('names the author\'s line in a syntax error', () => {
    const run = memtrace('broken.py', ['#: One', '#: two.', 'x = (', ''].join('\n'));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^memtrace: ${run.file.replace(/[.\\/]/g, '\\$&')}:3:`));
  });
});
