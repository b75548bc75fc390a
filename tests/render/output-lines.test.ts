/** The print output pane's lines: the last ones that fit, the first of them replaced by a count of those above. */
import { expect, test } from 'vitest';
import { outputLines } from '../../plugin/src/render/fragments.ts';

const printed = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}\n`).join('');

test('output that fits is shown whole, without its last newline', () => {
  expect(outputLines('', 4)).toEqual([]);
  expect(outputLines('\n', 4)).toEqual(['']);
  expect(outputLines(printed(4), 4)).toEqual(['line 1', 'line 2', 'line 3', 'line 4']);
  expect(outputLines('no newline yet', 4)).toEqual(['no newline yet']);
});

test('longer output keeps its last lines under a count of the lines above them', () => {
  expect(outputLines(printed(10), 4)).toEqual(['… 7 lines above', 'line 8', 'line 9', 'line 10']);
  expect(outputLines(`${printed(5)}partial`, 3)).toEqual(['… 4 lines above', 'line 5', 'partial']);
  expect(outputLines(printed(3), 1)).toEqual(['… 3 lines above']);
  expect(outputLines('a\n\n\nb\n', 2)).toEqual(['… 3 lines above', 'b']);
});
