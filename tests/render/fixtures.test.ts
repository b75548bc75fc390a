/**
 * Every fixture end to end, in both halves: tracing tests/fixtures/render/<case>/program.py gives exactly its
 * trace.json, and rendering trace.json gives exactly expected/ (each accepted after looking at its screenshots:
 * scripts/render-fixtures.ts --png). A change to the tracer or to the picture shows up here as a diff.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { render } from '../../plugin/src/render/index.ts';
import { traceJsonInProcess } from '../../scripts/dev-run.ts';
import {
  caseOptions,
  fixtureCases,
  narratedTraceJson,
  stepSummary,
  fixtureRenderOptions,
  fixtureTrace,
  FIXTURES,
  traceFileText,
} from './fixture-harness.ts';

const cases = fixtureCases();
const read = (c: string, file: string) => readFileSync(join(FIXTURES, c, file), 'utf8');

test('there are fixtures for every kind of program the renderer must draw', () => {
  for (const c of [
    'seed',
    'aliasing',
    'factorial',
    'closure',
    'classes',
    'linked-list',
    'dict',
    'freed',
    'cycle',
    'long-containers',
    'escaping',
    'deep-recursion',
    'inheritance',
    'cycle-partner',
    'bst',
  ]) {
    expect(cases).toContain(c);
  }
});

describe.each(cases)('%s', (c) => {
  const dir = join(FIXTURES, c);
  test('program.py traces to trace.json', async () => {
    const json = await narratedTraceJson(read(c, 'program.py'), caseOptions(dir).trace ?? {}, traceJsonInProcess);
    expect(traceFileText(json)).toBe(read(c, 'trace.json'));
  });

  test('trace.json renders to the expected SVGs and text', async () => {
    const fig = await render(fixtureTrace(c), fixtureRenderOptions(dir));
    const expected = JSON.parse(read(c, 'expected/figure.json'));
    expect({ width: fig.width, height: fig.height, steps: fig.steps.map(stepSummary) }).toEqual(expected);
    fig.steps.forEach((s, i) => {
      expect(s.svg + '\n', `${c} step ${i + 1}`).toBe(read(c, `expected/${String(i + 1).padStart(2, '0')}.svg`));
    });
    expect(fig.steps.map((s) => s.text).join('\n\n----\n\n') + '\n').toBe(read(c, 'expected/text.txt'));
  });
});
