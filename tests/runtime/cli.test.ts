/**
 * The `memtrace` command as a user runs it: a real process, real files, exit codes and one-line errors.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const CLI = resolve(import.meta.dirname, '../../plugin/src/cli.ts');
let dir: string;

function memtrace(...args: string[]) {
  const run = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function program(name: string, code: string): string {
  const file = join(dir, name);
  writeFileSync(file, code);
  return file;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'memtrace-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('memtrace trace', () => {
  test('prints the trace of one file as JSON', () => {
    const file = program('alias.py', 'x = [1, 2]\ny = x\ny.append(3)\nprint(x)\n');
    const run = memtrace('trace', file, '--max-steps', '50');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const trace = JSON.parse(run.stdout);
    expect(trace).toMatchObject({ format: 'memtrace', stdout: '[1, 2, 3]\n', end: { reason: 'completed' } });
    expect(run.stdout.endsWith('}\n')).toBe(true);
  });

  test("--format pytutor prints Python Tutor's JSON", () => {
    const run = memtrace('trace', program('pt.py', 'a = [1]\nb = a\n'), '--format', 'pytutor');
    expect(run.code).toBe(0);
    const trace = JSON.parse(run.stdout);
    expect(trace.code).toBe('a = [1]\nb = a\n');
    expect(Array.isArray(trace.trace) && trace.trace.length).toBeGreaterThan(0);
  });

  test('an uncaught exception is a trace, exit 0', () => {
    const run = memtrace('trace', program('raises.py', 'raise KeyError("k")\n'));
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).end).toMatchObject({ reason: 'exception' });
  });

  test('--max-steps caps the trace', () => {
    const run = memtrace('trace', program('loop.py', 'for i in range(1000):\n    pass\n'), '--max-steps', '7');
    expect(run.code).toBe(0);
    const trace = JSON.parse(run.stdout);
    expect(trace.end.reason).toBe('step-limit');
    expect(trace.steps.length).toBeLessThanOrEqual(7);
  });

  test('several files go to --out DIR, one JSON each, through one sandbox', () => {
    const out = join(dir, 'out');
    const a = program('first.py', 'a = 1\n');
    const b = program('second.py', 'print(input())\n');
    const run = memtrace('trace', a, b, '--out', out, '--stdin', 'hello');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['first.json', 'second.json']);
    expect(JSON.parse(readFileSync(join(out, 'first.json'), 'utf8')).code).toBe('a = 1\n');
    const second = JSON.parse(readFileSync(join(out, 'second.json'), 'utf8'));
    expect(second.code).toBe('print(input())\n');
    expect(second.end.reason).toBe('completed');
    expect(second.stdout).toContain('hello');
  });

  test('a syntax error: one line with file, line and column; exit 1', () => {
    const file = program('bad.py', 'x = 1\ndef f(:\n    pass\n');
    const run = memtrace('trace', file);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(new RegExp(`^memtrace: ${file.replace(/[.]/g, '\\.')}:2:7: SyntaxError`));
  });

  test('a program stopped before its first step is a one-line timeout; exit 1', () => {
    const run = memtrace('trace', program('stuck.py', 'sum(range(10**12))\n'), '--timeout-ms', '300');
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/stuck\.py: timeout: /);
  });

  test('with --out, the files that traced are written and each failure gets its line', () => {
    const out = join(dir, 'mixed');
    const run = memtrace('trace', program('ok.py', 'ok = True\n'), program('broken.py', 'def (\n'), '--out', out);
    expect(run.code).toBe(1);
    expect(readdirSync(out)).toEqual(['ok.json']);
    expect(run.stderr).toMatch(/^memtrace: .*broken\.py:1:\d+: SyntaxError/);
  });
});

describe('usage errors: one line, exit 2', () => {
  test.each([
    ['a missing file', ['trace', '/nonexistent/x.py'], /cannot read \/nonexistent\/x\.py: no such file/],
    ['a bad number', ['trace', 'x.py', '--max-steps', 'many'], /--max-steps must be a positive integer/],
    ['a bad format', ['trace', 'x.py', '--format', 'xml'], /--format must be memtrace or pytutor/],
    ['an unknown option', ['trace', 'x.py', '--fast'], /Unknown option '--fast'/],
    ['several files without --out', ['trace', 'a.py', 'b.py'], /several files need --out DIR/],
    ['no command', [], /missing command/],
    ['an unknown command', ['draw'], /unknown command 'draw'/],
  ])('%s', (_name, args, message) => {
    const run = memtrace(...args);
    expect(run.code).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
  });

  test('--help prints the usage on stdout, exit 0', () => {
    const run = memtrace('--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/memtrace trace FILE\.py/);
    expect(memtrace('trace', '--help').stdout).toBe(run.stdout);
  });

  test('render of a missing file is one line, exit 2', () => {
    const run = memtrace('render', 'x.py', '--out', dir);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/cannot read x\.py/);
  });
});
