/**
 * Which step shows which note, on step sequences written out by hand (the real tracer is in tracer.test.ts): a
 * line note shows at the step after a `line` event on its line; returns, step numbers and the end; warnings.
 */
import { describe, expect, it } from 'vitest';
import { parseNotes, resolveNotes, shownNotes } from '../../plugin/src/notes/index.ts';
import type { Step } from '../../plugin/src/trace/format.ts';

type Event = Step['event'];
const steps = (...s: [number, Event][]) => s.map(([line, event]) => ({ line, event }));

/** A program of the given lines, its notes taken out. */
const program = (...lines: string[]) => parseNotes(lines.join('\n'));
/** The steps that show a note of their own. */
const stepsWithNote = (notes: (string | undefined)[]) => notes.flatMap((n, k) => (n ? [k] : []));

/**
 * The steps of a loop three times round, then of the lines `after`, the last one returning:
 * for i in range(3):      line 1
 *     x = i               line 2
 */
const loopSteps = (...after: number[]) =>
  steps(...[1, 2, 1, 2, 1, 2, 1, ...after].map((line): [number, Event] => [line, 'line']), [after.at(-1)!, 'return']);
// print(x) on line 3.
const LOOP = loopSteps(3);
const loop = (note: string) => program('for i in range(3):', `    x = i  ${note}`, 'print(x)');

describe('resolveNotes', () => {
  it('shows a line note at the step after its first run', () => {
    const { notes, warnings } = resolveNotes(loop('#: Set.'), LOOP);
    expect(warnings).toEqual([]);
    expect(stepsWithNote(notes)).toEqual([2]);
  });

  it('[every] after each run, [2nd] after the second only', () => {
    expect(stepsWithNote(resolveNotes(loop('#: [every] Set.'), LOOP).notes)).toEqual([2, 4, 6]);
    expect(stepsWithNote(resolveNotes(loop('#: [2nd] Set.'), LOOP).notes)).toEqual([4]);
  });

  it('does not count the steps a line takes part in as runs: a call, its body, its return', () => {
    // def f():        line 1
    //     return 1    line 2
    // y = f()         line 3
    // z = f()         line 4
    const trace = steps(
      [1, 'line'],
      [3, 'line'],
      [1, 'call'],
      [2, 'line'],
      [2, 'return'],
      [4, 'line'],
      [1, 'call'],
      [2, 'line'],
      [2, 'return'],
      [4, 'return'],
    );
    const p = program(
      'def f():',
      '    #: [every] Returning.',
      '    return 1  #: [2nd return] Second return.',
      'y = f()  #: [every] First call.',
      'z = f()',
    );
    const { notes } = resolveNotes(p, trace);
    expect(notes).toEqual([
      undefined,
      undefined,
      'First call.',
      undefined,
      'Returning.',
      undefined,
      undefined,
      undefined,
      'Returning. Second return.',
      undefined,
    ]);
  });

  it('puts [step N] and [end] notes on those steps, joining two notes on one step in written order', () => {
    const p = program(
      '#: [end] Done.',
      '#: [step 1] Start.',
      'for i in range(3):',
      '    x = i',
      '#: [step 9] Also the end.',
      'print(x)',
    );
    const { notes } = resolveNotes(p, LOOP);
    expect(notes[0]).toBe('Start.');
    expect(notes[8]).toBe('Done. Also the end.');
  });

  it('warns, at the note, about a line that never runs, a run or return that never happens, a step past the last', () => {
    const p = program(
      'for i in range(3):  #: [return] No function.',
      '    x = i  #: [4th] Never.',
      'if False:',
      '    y = 1  #: Never runs.',
      'print(x)',
      '#: [step 11] Past the end.',
    );
    // `if False:` runs, its body does not; print(x) is line 5.
    const trace = loopSteps(3, 5);
    const { notes, warnings } = resolveNotes(p, trace);
    expect(notes.every((n) => n === undefined)).toBe(true);
    expect(warnings).toEqual([
      {
        line: 1,
        column: 21,
        message: 'this note is for a return from line 1, but no function returns from there in the trace',
      },
      { line: 2, column: 12, message: 'line 2 runs 3 times, so this note for run 4 never shows' },
      { line: 4, column: 12, message: expect.stringMatching(/^this note explains line 4, which never runs/) },
      { line: 6, column: 1, message: 'there is no step 11: this program has 10 steps' },
    ]);
  });

  it("names the author's line in a warning, counting the note lines taken out", () => {
    const p = program('#: A note', '#: on two lines.', 'if False:', '    #: Never.', '    y = 1', 'z = 2');
    const { warnings } = resolveNotes(p, steps([1, 'line'], [3, 'line'], [3, 'return']));
    expect(warnings.map((w) => [w.line, w.message.slice(0, 31)])).toEqual([[4, 'this note explains line 5, whic']]);
  });
});

describe('shownNotes', () => {
  const withNotes = (...n: (string | undefined)[]) => n.map((note) => (note === undefined ? {} : { note }));

  it('carries the last note over to the steps without one, marked as carried', () => {
    expect(shownNotes(withNotes(undefined, 'a', undefined, undefined, 'b', undefined), [0, 1, 2, 3, 4, 5])).toEqual([
      undefined,
      { markdown: 'a', carried: false },
      { markdown: 'a', carried: true },
      { markdown: 'a', carried: true },
      { markdown: 'b', carried: false },
      { markdown: 'b', carried: true },
    ]);
  });

  it('moves notes on steps that are not shown to the next shown step', () => {
    expect(shownNotes(withNotes('a', 'b', 'c', undefined, 'd'), [0, 3, 4])).toEqual([
      { markdown: 'a', carried: false },
      { markdown: 'b c', carried: false },
      { markdown: 'd', carried: false },
    ]);
  });
});
