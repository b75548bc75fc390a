/**
 * `memtrace trace` on a program with notes: a real process. The JSON carries each step's note and the code without
 * the notes; a note that shows nowhere is a warning on stderr, located in the file; a syntax error names the
 * author's line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  const command = args[0] === 'render' ? args.slice(0, 1) : ['trace'];
  const run = spawnSync(process.execPath, [CLI, command[0]!, file, ...args.slice(command[0] === 'render' ? 1 : 0)], {
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { file, code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('memtrace trace with notes', () => {
  it('prints the notes on their steps and warns about one that never shows', () => {
    const run = memtrace(
      'notes.py',
      ['#: A list.', 'a = [1]', 'if not a:', '    a = None  #: Never.', 'print(a)'].join('\n'),
    );
    expect(run.code).toBe(0);
    const trace = JSON.parse(run.stdout) as Trace;
    expect(trace.version).toBe(2);
    expect(trace.code).toBe(['a = [1]', 'if not a:', '    a = None', 'print(a)'].join('\n'));
    expect(trace.steps.flatMap((s, k) => (s.note ? [[k, s.note, trace.steps[k - 1]!.line]] : []))).toEqual([
      [1, 'A list.', 1],
    ]);
    expect(run.stderr).toBe(
      `memtrace: ${run.file}:4:15: this note explains line 4, which never runs to its end in the trace (a note explains the line where a statement starts) (warning)\n`,
    );
  });

  it("names the author's line in a syntax error", () => {
    const run = memtrace('broken.py', ['#: One', '#: two.', 'x = (', ''].join('\n'));
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^memtrace: ${run.file.replace(/[.\\/]/g, '\\$&')}:3:`));
  });
});

describe('memtrace render with notes', () => {
  it("puts each note in index.html under its step and in its step's SVG as <desc>, and warns about one that never shows", {
    timeout: 200_000,
  }, () => {
    const out = join(dir, 'out');
    const code = ['x = 1  #: `x` names *one*.', 'y = 2', 'if x > y:', '    x = 0  #: Never.', ''].join('\n');
    const run = memtrace('render.py', code, 'render', '--out', out);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`${run.file}:4:12: this note explains line 4`);
    const svgs = readdirSync(out)
      .filter((f) => f.endsWith('.svg'))
      .sort();
    const desc = svgs.map((f) => /<desc id="([^"]+)">([^<]*)<\/desc>/.exec(readFileSync(join(out, f), 'utf8')));
    // Step 2 is the one after line 1 ran: its SVG describes itself by the note, as plain text.
    expect(desc.map((d) => d?.[2])).toEqual([undefined, 'x names one.', ...svgs.slice(2).map(() => undefined)]);
    expect(readFileSync(join(out, svgs[1]!), 'utf8')).toContain(`aria-describedby="${desc[1]![1]}"`);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toContain('<p class="memtrace-narration"><code>x</code> names <em>one</em>.</p>');
    expect(html.match(/class="memtrace-narration is-carried"/g)).toHaveLength(svgs.length - 2);
    // The program shown under the figure is the one the figure draws: without its notes.
    expect(html).not.toContain('#:');
  });
});
