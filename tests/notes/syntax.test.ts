/**
 * The `#:` note syntax: where a note attaches, what is taken out of the code (and what is not), selectors, and the
 * warnings for notes that cannot attach.
 */
import { describe, expect, it } from 'vitest';
import { breakpointLines, hiddenByComment } from '../../plugin/src/engine/options.ts';
import { parseNotes } from '../../plugin/src/notes/index.ts';

const program = (...lines: string[]) => lines.join('\n');

describe('parseNotes: taking notes out of the code', () => {
  it('cuts a note after code from its line and removes a note on its own line, with the line', () => {
    const p = parseNotes(
      program(
        '#: Starts at zero.',
        'total = 0',
        'for x in [1, 2]:',
        '    total += x  #: [every] One more.',
        'print(total)',
      ),
    );
    expect(p.code).toBe(program('total = 0', 'for x in [1, 2]:', '    total += x', 'print(total)'));
    expect(p.notes.map((n) => [n.line, n.markdown])).toEqual([
      [1, 'Starts at zero.'],
      [3, 'One more.'],
    ]);
  });

  it("maps the traced lines back to the author's lines", () => {
    const p = parseNotes(program('#: one', '#: two', 'a = 1', '', '#: three', 'b = 2'));
    expect(p.code.split('\n')).toEqual(['a = 1', '', 'b = 2']);
    expect([1, 2, 3].map((l) => p.sourceLine(l))).toEqual([3, 4, 6]);
  });

  it('leaves ordinary comments, # break and hide markers alone, and a note after them is cut', () => {
    const p = parseNotes(
      program(
        '#pythontutor_hide: secret',
        'secret = 1  # memtrace-hide: x',
        'y = 2  # break  #: y is set.',
        'z = 3  # plain comment',
      ),
    );
    expect(p.code).toBe(
      program(
        '#pythontutor_hide: secret',
        'secret = 1  # memtrace-hide: x',
        'y = 2  # break',
        'z = 3  # plain comment',
      ),
    );
    expect(breakpointLines(p.code)).toEqual(new Set([3]));
    expect(hiddenByComment(p.code)).toEqual(['secret', 'x']);
    expect(p.notes).toHaveLength(1);
  });

  it('never takes #: out of a string, even a triple-quoted one spanning lines', () => {
    const code = program(
      's = "#: not a note"',
      "t = '''",
      '#: still in the string',
      "'''",
      'u = f"{1}#: no"  #: A note.',
      "v = r'\\' #: no'",
    );
    const p = parseNotes(code);
    expect(p.code).toBe(
      program('s = "#: not a note"', "t = '''", '#: still in the string', "'''", 'u = f"{1}#: no"', "v = r'\\' #: no'"),
    );
    expect(p.notes.map((n) => [n.line, n.markdown])).toEqual([[5, 'A note.']]);
  });

  it('needs a space or the line end after #:, so #:: and #:x are ordinary comments', () => {
    const p = parseNotes(program('a = 1  #:: sphinx style', 'b = 2  #:x'));
    expect(p.notes).toEqual([]);
    expect(p.code).toBe(program('a = 1  #:: sphinx style', 'b = 2  #:x'));
  });

  it('with keep, leaves every line in place and turns notes into ordinary comments', () => {
    const code = program('#: [step 1] Start.', 'a = 1  # break  #: [every] Set.', '    #: Indented.', 'b = 2  #: B.');
    const p = parseNotes(code, { keep: true });
    expect(p.code).toBe(program('# Start.', 'a = 1  # Set.  # break', '    # Indented.', 'b = 2  # B.'));
    expect(breakpointLines(p.code)).toEqual(new Set([2]));
    expect(p.notes.map((n) => n.markdown)).toEqual(['Start.', 'Set.', 'Indented.', 'B.']);
    expect(p.sourceLine(2)).toBe(2);
  });
});

describe('parseNotes: notes and selectors', () => {
  it('joins #: lines in a row into one note; an empty #: line or a selector starts another', () => {
    const p = parseNotes(
      program('#: One sentence', '#: goes on.', '#:', '#: Another.', '#: [every] A third.', 'x = 1'),
    );
    expect(p.notes.map((n) => n.markdown)).toEqual(['One sentence goes on.', 'Another.', 'A third.']);
    expect(p.notes.every((n) => n.line === 1)).toBe(true);
  });

  it('reads every selector', () => {
    const p = parseNotes(
      program(
        'x = 1  #: plain',
        'x = 2  #: [first] a',
        'x = 3  #: [every] b',
        'x = 4  #: [3rd] c',
        'x = 5  #: [return] d',
        'x = 6  #: [every return] e',
        'x = 7  #: [2nd return] f',
        '#: [step 4] g',
        '#: [end] h',
        '#: [11TH] i',
        'x = 8',
      ),
    );
    expect(p.warnings).toEqual([]);
    expect(p.notes.map((n) => n.when)).toEqual([
      { kind: 'line', event: 'run', times: 'first' },
      { kind: 'line', event: 'run', times: 'first' },
      { kind: 'line', event: 'run', times: 'every' },
      { kind: 'line', event: 'run', times: 3 },
      { kind: 'line', event: 'return', times: 'first' },
      { kind: 'line', event: 'return', times: 'every' },
      { kind: 'line', event: 'return', times: 2 },
      { kind: 'step', step: 4 },
      { kind: 'end' },
      { kind: 'line', event: 'run', times: 11 },
    ]);
    // Step and end notes are not tied to a line; the ordinal note below them belongs to the next line of code.
    expect(p.notes.map((n) => n.line)).toEqual([1, 2, 3, 4, 5, 6, 7, undefined, undefined, 8]);
  });

  it('reads a link at the start of a note as text, not as a selector', () => {
    const p = parseNotes('x = 1  #: [docs](https://docs.python.org/) say so.');
    expect(p.notes[0]!.when).toEqual({ kind: 'line', event: 'run', times: 'first' });
    expect(p.notes[0]!.markdown).toBe('[docs](https://docs.python.org/) say so.');
  });
});

describe('parseNotes: warnings, located at the note', () => {
  it('warns about an unknown selector, and keeps the note as text on its line', () => {
    const p = parseNotes(program('x = 1', 'y = 2    #: [evry] Typo.'));
    expect(p.warnings).toEqual([
      { line: 2, column: 10, message: expect.stringMatching(/unknown note selector `\[evry\]`/) },
    ]);
    expect(p.notes).toEqual([expect.objectContaining({ markdown: '[evry] Typo.', line: 2 })]);
  });

  it('calls [3] ambiguous and says what to write', () => {
    const p = parseNotes('x = 1  #: [3] Which?');
    expect(p.warnings[0]!.message).toMatch(/`\[3rd\]`.*`\[step 3\]`/);
  });

  it('warns about a note with no code after it, and an empty note', () => {
    const p = parseNotes(program('x = 1  #:', 'y = 2', '    #: Nothing follows.', '# just a comment'));
    expect(p.warnings).toEqual([
      { line: 3, column: 5, message: expect.stringMatching(/no line of code after it.*\[end\]/) },
      { line: 1, column: 8, message: 'this note is empty' },
    ]);
    expect(p.notes).toEqual([]);
  });

  it('warns about a link that is not http, https or relative', () => {
    const p = parseNotes('x = 1  #: See [this](javascript:alert(1)).');
    expect(p.warnings).toEqual([
      { line: 1, column: 8, message: expect.stringMatching(/javascript:alert\(1\).*shown as text/) },
    ]);
  });
});
