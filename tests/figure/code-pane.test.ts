/** The code pane of a page figure: the code as HTML text, its two line marks as shapes, the output under it. */
import { toHtml } from 'hast-util-to-html';
import { selectAll, select } from 'hast-util-select';
import { toString } from 'hast-util-to-string';
import { expect, test } from 'vitest';
import { codeLegend, codePane, indentClass } from '../../plugin/src/figure/code-pane.ts';

const ids = { next: 'f-n', prev: 'f-p' };
const CODE = ['def f(x):', '    return x', '', 'print(f(1))'];

test('writes every line as text, in order, with no line numbers in the text (they are CSS counters)', () => {
  const pane = codePane(CODE, { line: 4, output: [] }, ids);
  const lines = selectAll('.mt-src .mt-l', pane).map((l) => toString(l));
  // The empty line holds a space, which keeps its height.
  expect(lines).toEqual(['def f(x):', '    return x', ' ', 'print(f(1))']);
  expect(toHtml(pane)).not.toMatch(/>\s*[1-4]\s*</);
});

test('marks the next line with the solid arrow and a band, the line that just ran with the hollow one', () => {
  const pane = codePane(CODE, { line: 4, prevLine: 2, output: [] }, ids);
  const next = select('.mt-n', pane)!;
  const prev = select('.mt-p', pane)!;
  expect(toString(next)).toBe('print(f(1))');
  expect(toString(prev)).toBe('    return x');
  expect(select('use', next)!.properties.href).toBe('#f-n');
  expect(select('use', prev)!.properties.href).toBe('#f-p');
  expect(selectAll('.mt-m', pane)).toHaveLength(2);
  expect(select('.mt-m', next)!.properties.ariaHidden).toBe('true');
});

test('draws both arrows on one line that both just ran and runs next, the hollow one to the left', () => {
  const pane = codePane(CODE, { line: 2, prevLine: 2, output: [] }, ids);
  const uses = selectAll('.mt-n.mt-p use', pane);
  expect(uses.map((u) => u.properties.href)).toEqual(['#f-p', '#f-n']);
  expect(Number(uses[0]!.properties.x)).toBeLessThan(0);
});

test('hangs a wrapped line right of its own indentation, in steps of two spaces', () => {
  expect(indentClass('x = 1')).toBeUndefined();
  expect(indentClass('    return x')).toBe('i2');
  expect(indentClass('   odd')).toBe('i1');
  expect(indentClass(' '.repeat(40) + 'deep')).toBe('i6');
});

test('shows the printed output line by line and the exception under the code', () => {
  const pane = codePane(CODE, { line: 4, output: ['1', '', '2'], exception: 'ValueError: bad\nsecond line' }, ids);
  expect(selectAll('.mt-out .mt-ol', pane).map((l) => toString(l))).toEqual(['1', ' ', '2']);
  expect(toString(select('.mt-out .mt-h', pane)!)).toBe('Print output');
  expect(selectAll('.mt-exc .mt-ol', pane).map((l) => toString(l))).toEqual(['ValueError: bad', 'second line']);
  expect(select('.mt-exc', codePane(CODE, { line: 4, output: [] }, ids))).toBeUndefined();
});

test('the legend says which arrow is which, with the same two shapes', () => {
  const legend = codeLegend(ids);
  expect(toString(legend)).toContain('line that just ran');
  expect(toString(legend)).toContain('next line to run');
  expect(selectAll('use', legend).map((u) => u.properties.href)).toEqual(['#f-p', '#f-n']);
});
