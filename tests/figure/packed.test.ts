/**
 * Packed figures (render's `packed`, figure/packed.ts), as the cache keeps them: a page built from a packed figure is byte for byte the
 * page built from the figure's trees, windowed or not, for every render fixture; and ids renamed in the packed bytes
 * are the ids the figure would have been drawn with, while a program's own text that looks like an id stays as it is.
 * Code panes that steps share are written as each step's own would be. Real tracer (Pyodide) and satori.
 */
import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, it, test } from 'vitest';
import {
  htmlBytes,
  readSvgBytes,
  svgBytes,
  svgElement,
  type Root,
  type RootContent,
} from '../../plugin/src/figure/hast.ts';
import { renderFigure } from '../../plugin/src/figure/markup.ts';
import { renameIds, unpacked } from '../../plugin/src/figure/packed.ts';
import { pageFigure, type StepPages } from '../../plugin/src/figure/windows.ts';
import { render, type RenderedFigure } from '../../plugin/src/render/index.ts';
import { closeSharedRuntime, sharedRuntime, type Trace } from '../../plugin/src/trace/index.ts';
import { FIXTURES } from '../render/fixture-harness.ts';
import { fixtureTrace } from '../render/helpers.ts';

afterAll(() => closeSharedRuntime());

/** The figure's page HTML and its step pages, windowed as a host that writes step pages gets it. */
function placed(figure: RenderedFigure, id: string, start = 0): { html: string; pages: Map<string, string> } {
  const pages = new Map<string, string>();
  const host: StepPages = {
    url: (f) => `/_astro/${f}`,
    style: '/_astro/memtrace.css',
    add: (f, html) => pages.set(f, new TextDecoder().decode(html)),
  };
  const tree = renderFigure(figure, { id, start, assets: { script: '/s.js', style: '/s.css' } });
  return { html: pageFigure(tree, host).html, pages };
}

describe('a packed figure gives the page its trees give', () => {
  test.each(readdirSync(FIXTURES))('%s', async (c) => {
    const figure = await render(fixtureTrace(c), { idPrefix: 'mtp-', layout: 'page' });
    const drawnPacked = await render(fixtureTrace(c), { idPrefix: 'mtp-', layout: 'page', packed: true });
    // A packed step's bytes are the step's bytes.
    expect(drawnPacked.steps.map((s) => [s.svg, s.narrow])).toEqual(figure.steps.map((s) => [s.svg, s.narrow]));
    expect(drawnPacked.shared).toBe(figure.shared);
    const packed = JSON.parse(JSON.stringify(drawnPacked)) as RenderedFigure;
    expect(htmlBytes(renderFigure(packed, { id: 'mtp' }))).toBe(htmlBytes(renderFigure(figure, { id: 'mtp' })));
    const last = figure.steps.length - 1;
    const [fromTrees, fromPacked] = [placed(figure, 'mtp', last), placed(packed, 'mtp', last)];
    expect(fromPacked.html).toBe(fromTrees.html);
    expect([...fromPacked.pages]).toEqual([...fromTrees.pages]);
  });

  it('a figure of 1000 steps: the same windowed page, and the same page of every step', async () => {
    const trace = await traced(
      'xs = []\nwhile True:\n    xs.append(len(xs) % 7)\n    if len(xs) > 12:\n        xs = []\n',
    );
    expect(trace.steps).toHaveLength(1000);
    const figure = await render(trace, { idPrefix: 'mtp-', layout: 'page' });
    const packed = JSON.parse(
      JSON.stringify(await render(trace, { idPrefix: 'mtp-', layout: 'page', packed: true })),
    ) as RenderedFigure;
    const [fromTrees, fromPacked] = [placed(figure, 'mtp', 500), placed(packed, 'mtp', 500)];
    expect(fromPacked.pages.size).toBe(1);
    expect(fromPacked.html).toBe(fromTrees.html);
    expect([...fromPacked.pages]).toEqual([...fromTrees.pages]);
  });
});

describe('readSvgBytes and unpacked', () => {
  test.each(readdirSync(FIXTURES))('%s: read back, the drawings are the trees drawn', async (c) => {
    const figure = await render(fixtureTrace(c), { idPrefix: 'mtp-', layout: 'page' });
    const packed = await render(fixtureTrace(c), { idPrefix: 'mtp-', layout: 'page', packed: true });
    packed.steps.forEach((s, k) => {
      expect(unpacked(s.tree)).toEqual(figure.steps[k]!.tree);
      expect(s.narrowTree && unpacked(s.narrowTree)).toEqual(figure.steps[k]!.narrowTree);
    });
    expect(packed.sharedTree?.map((n) => unpacked(n))).toEqual(figure.sharedTree);
  });

  it('reads text with every escaped character, and empty elements', () => {
    const nodes = [
      svgElement('g', { id: 'a', 'aria-label': 'x < y & "z"' }, [
        svgElement('text', { x: 1 }, [{ type: 'text', value: `'<a href="#b">' & c > d` }]),
        svgElement('path', { d: 'M0 0' }),
      ]),
    ];
    expect(readSvgBytes(svgBytes(nodes))).toEqual(nodes);
  });
});

describe('code panes shared by the steps that show the same', () => {
  test.each(readdirSync(FIXTURES))('%s: the HTML of every step holding its own pane', async (c) => {
    const figure = await render(fixtureTrace(c), { idPrefix: 'mtp-', layout: 'page', packed: true });
    const tree = renderFigure(figure, { id: 'mtp' });
    // A deep copy holds no shared element: every pane is written where it is.
    expect(htmlBytes(tree)).toBe(htmlBytes(structuredClone(tree)));
  });

  it('a loop of 1000 steps shows a few panes, each written once', async () => {
    const trace = await traced('n = 0\nwhile True:\n    n += 1\n');
    const tree = renderFigure(await render(trace, { idPrefix: 'mtp-', layout: 'page', packed: true }), { id: 'mtp' });
    const panes = new Set<unknown>();
    const visit = (n: Root | RootContent): void => {
      if (n.type === 'element' && n.properties.className?.toString() === 'mt-code') panes.add(n);
      if ('children' in n) for (const c of n.children) visit(c);
    };
    visit(tree);
    expect(panes.size).toBeLessThanOrEqual(4);
    expect(htmlBytes(tree)).toBe(htmlBytes(structuredClone(tree)));
  });
});

async function traced(code: string): Promise<Trace> {
  const result = await sharedRuntime().trace(code);
  if ('kind' in result) throw new Error(result.message);
  return result;
}

/** Every id and every reference to one (`#id`) in the attributes of a page's HTML. */
const idsIn = (html: string): string[] =>
  [...html.matchAll(/\s(?:id|href|marker-end|aria-labelledby)="(?:#|url\(#)?([\w-]+)/g)].map((m) => m[1]!);

describe('renameIds', () => {
  // Strings that look like the figure's ids and references, in the program's names, values and output.
  const PROGRAM = [
    `label = 'id="mtp-t0" href="#mtp-d1" marker-end="url(#mtp-a)" mtp-'`,
    `names = {'mtp-x': [1, 2], 'key': label}`,
    'def mtp(a):',
    '    return [a, label]',
    'out = mtp(names)',
    'print(label)',
    '',
  ].join('\n');

  it('gives the figure drawn with the new prefix, and leaves the program text as it is', async () => {
    const trace = await traced(PROGRAM);
    const drawn = async (prefix: string) =>
      JSON.parse(
        JSON.stringify(await render(trace, { idPrefix: prefix, layout: 'page', packed: true })),
      ) as RenderedFigure;
    const [p, q] = await Promise.all([drawn('mtp-'), drawn('mtq-')]);
    const renamed: RenderedFigure = {
      ...p,
      steps: p.steps.map((s) => ({
        ...s,
        tree: renameIds(s.tree, 'mtp-', 'mtq-'),
        ...(s.narrowTree ? { narrowTree: renameIds(s.narrowTree, 'mtp-', 'mtq-') } : {}),
      })),
      ...(p.sharedTree ? { sharedTree: p.sharedTree.map((n) => renameIds(n, 'mtp-', 'mtq-')) } : {}),
    };
    const html = htmlBytes(renderFigure(renamed, { id: 'mtq' }));
    expect(html).toBe(htmlBytes(renderFigure(q, { id: 'mtq' })));
    const ids = idsIn(html);
    expect(ids.length).toBeGreaterThan(10);
    expect(ids.filter((id) => !id.startsWith('mtq'))).toEqual([]);
    // The program's text, escaped as the SVG holds it, is still there with its "mtp-".
    expect(html).toContain('id=&quot;mtp-t0&quot; href=&quot;#mtp-d1&quot;');
    expect(html).toContain('mtp-x');
  });
});
