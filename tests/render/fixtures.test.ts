/**
 * Every fixture in tests/fixtures/render renders to exactly its checked-in expected output (each accepted after
 * looking at its screenshots: scripts/render-fixtures.ts --png). A change to the picture shows up here as a diff.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { render } from '../../plugin/src/render/index.ts';
import type { Trace } from '../../plugin/src/trace/format.ts';
import { FIXTURES, fixtureRenderOptions } from '../../scripts/render-fixtures.ts';

const cases = readdirSync(FIXTURES).filter((c) => existsSync(join(FIXTURES, c, 'trace.json')));

test('there are fixtures for every case the brief lists', () => {
  for (const c of ['seed', 'aliasing', 'factorial', 'closure', 'classes', 'linked-list', 'dict', 'freed', 'cycle', 'long-containers', 'escaping', 'deep-recursion', 'inheritance', 'cycle-partner', 'bst']) {
    expect(cases).toContain(c);
  }
});

describe.each(cases)('%s', (c) => {
  const dir = join(FIXTURES, c);
  test('renders to the expected SVGs and text', async () => {
    const trace = JSON.parse(readFileSync(join(dir, 'trace.json'), 'utf8')) as Trace;
    const fig = await render(trace, fixtureRenderOptions(dir));
    const expected = JSON.parse(readFileSync(join(dir, 'expected/figure.json'), 'utf8'));
    expect({ width: fig.width, height: fig.height, steps: fig.steps.map((s) => ({ index: s.index, line: s.line })) }).toEqual(expected);
    fig.steps.forEach((s, i) => {
      const file = join(dir, 'expected', `${String(i + 1).padStart(2, '0')}.svg`);
      expect(s.svg + '\n', `${c} step ${i + 1}`).toBe(readFileSync(file, 'utf8'));
    });
    expect(fig.steps.map((s) => s.text).join('\n\n----\n\n') + '\n').toBe(readFileSync(join(dir, 'expected/text.txt'), 'utf8'));
  });
});
