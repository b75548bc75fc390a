import { describe, expect, it } from 'vitest';
import {
  breakpointLines,
  hiddenByComment,
  isMemtraceBlock,
  OptionError,
  parseMeta,
  selectSteps,
  validateDefaults,
} from '../../plugin/src/engine/options.ts';

describe('isMemtraceBlock', () => {
  it('takes python and py fences whose meta has the word memtrace', () => {
    expect(isMemtraceBlock('python', 'memtrace')).toBe(true);
    expect(isMemtraceBlock('py', 'title="x" memtrace')).toBe(true);
    expect(isMemtraceBlock('python', null)).toBe(false);
    expect(isMemtraceBlock('python', 'notmemtrace')).toBe(false);
    expect(isMemtraceBlock('js', 'memtrace')).toBe(false);
    expect(isMemtraceBlock('python', 'memtraced')).toBe(false);
  });
});

describe('parseMeta', () => {
  it('reads every option', () => {
    expect(
      parseMeta(
        'memtrace title="Two frames, one \\"object\\"" steps=3-7 start=last hide=_*,helper primitives=heap exited-frames=false max-steps=50 timeout=2000 stdin="a\\nb"',
      ),
    ).toEqual({
      title: 'Two frames, one "object"',
      steps: '3-7',
      start: 'last',
      hide: ['_*', 'helper'],
      primitives: 'heap',
      exitedFrames: false,
      maxSteps: 50,
      timeout: 2000,
      stdin: 'a\nb',
    });
  });

  it('takes a bare boolean, single quotes and a numeric start', () => {
    expect(parseMeta("memtrace exited-frames title='x y' start=4")).toEqual({
      exitedFrames: true,
      title: 'x y',
      start: 4,
    });
  });

  it('names an unknown option and lists the valid ones', () => {
    expect(() => parseMeta('memtrace colour=red')).toThrowError(
      /Unknown memtrace option `colour`\. Valid options: `title`, `steps`/,
    );
  });

  it('names a malformed value and says what it expects', () => {
    expect(() => parseMeta('memtrace max-steps=lots')).toThrowError(
      /Invalid value `lots` for memtrace option `max-steps`: expected an integer/,
    );
    expect(() => parseMeta('memtrace start=middle')).toThrowError(/`start`: expected `first`, `last`/);
    expect(() => parseMeta('memtrace steps=3..7')).toThrowError(OptionError);
    expect(() => parseMeta('memtrace title')).toThrowError(/\(no value\) for memtrace option `title`/);
    expect(() => parseMeta('memtrace title="open')).toThrowError(/Unterminated/);
  });

  it('reports where in the meta the bad option is', () => {
    try {
      parseMeta('memtrace title=x bogus=1');
      expect.unreachable();
    } catch (e) {
      expect((e as OptionError).offset).toBe(17);
    }
  });
});

describe('validateDefaults', () => {
  it('accepts camelCase defaults and rejects typos', () => {
    expect(validateDefaults({ start: 'last', maxSteps: 500, hide: ['x'] })).toEqual({
      start: 'last',
      maxSteps: 500,
      hide: ['x'],
    });
    expect(() => validateDefaults({ maxstep: 5 })).toThrowError(/Unknown memtrace default `maxstep`.*`maxSteps`/);
    expect(() => validateDefaults({ timeout: -1 })).toThrowError(/Invalid memtrace default `timeout`/);
  });
});

describe('step selection', () => {
  const lines = [1, 2, 3, 2, 3, 4];
  it('selects ranges, lists and open ranges as 0-based indices', () => {
    expect(selectSteps('all', lines, new Set())).toEqual([0, 1, 2, 3, 4, 5]);
    expect(selectSteps('2-3', lines, new Set())).toEqual([1, 2]);
    expect(selectSteps('1,5-', lines, new Set())).toEqual([0, 4, 5]);
    expect(selectSteps('9', lines, new Set())).toEqual([]);
  });
  it('selects the steps on # break lines', () => {
    const code = 'x = 1\ny = 2  # break\nz = 3\n';
    expect([...breakpointLines(code)]).toEqual([2]);
    expect(selectSteps('breakpoints', [1, 2, 3, 2], breakpointLines(code))).toEqual([1, 3]);
  });
  it('reads Python Tutor hide comments', () => {
    expect(hiddenByComment('#pythontutor_hide: a, b\nx = 1\n# memtrace-hide: _*')).toEqual(['a', 'b', '_*']);
  });
});
