import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Trace } from '../../plugin/src/trace/format.ts';
import { FIXTURES } from './fixture-harness.ts';

export const fixtureTrace = (c: string): Trace =>
  JSON.parse(readFileSync(join(FIXTURES, c, 'trace.json'), 'utf8')) as Trace;

/** Every value of `attr="..."` in an SVG string. */
export const attrValues = (svg: string, attr: string): string[] =>
  [...svg.matchAll(new RegExp(`\\s${attr}="([^"]*)"`, 'g'))].map((m) => m[1]!);
