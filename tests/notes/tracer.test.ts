/**
 * Notes on real traces: a loop, a recursion and the program's end, traced by the sandboxed Pyodide runtime; the
 * public `trace()`; the engine's located warnings and the code a figure shows.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../plugin/src/engine/index.ts';
import { traceWithNotes, type NarratedTrace } from '../../plugin/src/notes/index.ts';
import type { Step, Value } from '../../plugin/src/trace/format.ts';
import { closeSharedRuntime, sharedRuntime, trace } from '../../plugin/src/trace/index.ts';

afterAll(() => closeSharedRuntime());

async function narrated(code: string): Promise<NarratedTrace> {
  const result = await traceWithNotes(sharedRuntime(), code);
  if ('kind' in result) throw new Error(`not traced: ${result.message}`);
  return result;
}

const repr = (v: Value | undefined) => (v && 'repr' in v ? v.repr : undefined);
const globalVar = (s: Step, name: string) => repr(s.frames[0]!.locals.find(([k]) => k === name)?.[1]);
const innermost = (s: Step) => s.frames.filter((f) => !f.exited).at(-1)!;
const withNote = (steps: Step[], note: string) => steps.filter((s) => s.note === note);

describe('notes on a real trace', () => {
  it('a loop: [every] on the header after each pass and the last check, [2nd] on the body once, [end] last', async () => {
    const { trace: t, warnings } = await narrated(
      [
        'total = 0',
        'for n in [1, 2, 3]:  #: [every] The loop takes the next item.',
        '    total += n  #: [2nd] `total` is now 3.',
        '#: [end] Done.',
        'print(total)',
      ].join('\n'),
    );
    expect(warnings).toEqual([]);
    expect(t.code).toBe(['total = 0', 'for n in [1, 2, 3]:', '    total += n', 'print(total)'].join('\n'));
    const header = withNote(t.steps, 'The loop takes the next item.');
    // Three passes bind n to 1, 2, 3 and the fourth check ends the loop: the line to run next is the print.
    expect(header.map((s) => globalVar(s, 'n'))).toEqual(['1', '2', '3', '3']);
    expect(header.map((s) => s.line)).toEqual([3, 3, 3, 4]);
    const second = withNote(t.steps, '`total` is now 3.');
    expect(second.map((s) => globalVar(s, 'total'))).toEqual(['3']);
    expect(t.steps.at(-1)!.note).toBe('Done.');
    expect(t.steps.filter((s) => s.note === 'Done.')).toHaveLength(1);
    expect(t.version).toBe(2);
  });

  it('a recursion: [every] on the calling line at each new frame, [return] and [every return] at the returns', async () => {
    const code = [
      'def fact(n):',
      '    if n <= 1:',
      '        return 1  #: [return] The base case returns 1.',
      '    #: [every] A new frame.',
      '    #: [every return] A call returns.',
      '    return n * fact(n - 1)',
      '',
      'fact(3)  #: The first call.',
    ].join('\n');
    const { trace: t, warnings } = await narrated(code);
    expect(warnings).toEqual([]);
    const calls = withNote(t.steps, 'A new frame.');
    expect(calls.map((s) => [s.event, repr(innermost(s).locals[0]![1])])).toEqual([
      ['call', '2'],
      ['call', '1'],
    ]);
    const base = withNote(t.steps, 'The base case returns 1.');
    expect(base.map((s) => [s.event, repr(innermost(s).locals[0]![1]), repr(innermost(s).returnValue)])).toEqual([
      ['return', '1', '1'],
    ]);
    const returns = withNote(t.steps, 'A call returns.');
    expect(returns.map((s) => repr(innermost(s).returnValue))).toEqual(['2', '6']);
    const first = withNote(t.steps, 'The first call.');
    expect(first.map((s) => [s.event, innermost(s).name, repr(innermost(s).locals[0]![1])])).toEqual([
      ['call', 'fact', '3'],
    ]);
  });

  it('warns about a note on a line that never runs, and a step the trace does not have', async () => {
    const { trace: t, warnings } = await narrated(
      ['x = 1', 'if x > 5:', '    y = 2  #: Never.', '#: [step 99] Too far.'].join('\n'),
    );
    expect(t.steps.some((s) => s.note !== undefined)).toBe(false);
    expect(warnings).toEqual([
      { line: 3, column: 12, message: expect.stringMatching(/^this note explains line 3, which never runs/) },
      { line: 4, column: 1, message: `there is no step 99: this program has ${t.steps.length} steps` },
    ]);
  });

  it("locates a syntax error at the author's line, counting the note lines taken out", async () => {
    const result = await traceWithNotes(
      sharedRuntime(),
      ['#: A note', '#: on two lines.', 'x = (', 'y = 1'].join('\n'),
    );
    expect(result).toMatchObject({ kind: 'syntax', line: 3 });
  });

  it('trace() gives the notes on the steps and the code without them', async () => {
    const result = await trace('a = [1]  #: `a` names a list.\nb = a');
    if ('kind' in result) throw new Error(result.message);
    expect(result.code).toBe('a = [1]\nb = a');
    expect(result.steps.map((s) => s.note)).toEqual([undefined, '`a` names a list.', undefined]);
  });
});

describe('the engine', () => {
  it("warns at the note's file, line and column, and shows the code without its notes", async () => {
    const warnings: string[] = [];
    const engine = createEngine({ logger: { info() {}, warn: (m) => warnings.push(m), error() {} } });
    const code = ['x = 1  #: `x` is set.', 'if x > 5:', '    y = 2  #: Never.', 'print(x)'].join('\n');
    const { html } = await engine.process({
      code,
      meta: 'memtrace',
      file: '/site/post.md',
      position: { line: 5, column: 1 },
    });
    // The fence is on line 5 of the file; the program's third line is line 8, and its `#:` is in column 12.
    expect(warnings).toEqual([
      expect.stringMatching(/^\/site\/post\.md:8:12: this note explains line 3, which never runs/),
    ]);
    expect(html).not.toContain('#:');
    expect(html).not.toContain('Never.');
    expect(html).toContain('y = 2');
  });

  it('with notes=keep, shows the notes as ordinary comments', async () => {
    const engine = createEngine();
    const { html } = await engine.process({ code: 'x = 1  #: [every] Set.', meta: 'memtrace notes=keep' });
    expect(html).not.toContain('#:');
    expect(html).toContain('# Set.');
  });
});
