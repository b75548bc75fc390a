import { fromHtml } from 'hast-util-from-html';
import { select, selectAll } from 'hast-util-select';
import { describe, expect, it } from 'vitest';
import { htmlBytes, renderFigure } from '../../plugin/src/figure/index.ts';
import { pageFigure, windowFigure, WINDOW, type StepPages } from '../../plugin/src/figure/windows.ts';
import { handMadeFigure } from './helpers.ts';

function pagesHost() {
  const pages = new Map<string, string>();
  const host: StepPages = {
    url: (f) => `/_astro/${f}`,
    style: '/_astro/memtrace.css',
    add: (f, html) => pages.set(f, new TextDecoder().decode(html)),
  };
  return { pages, host };
}

const figureOf = (n: number, start = 0) =>
  renderFigure(handMadeFigure(Array.from({ length: n }, (_, i) => (i % 7) + 1)), {
    id: 'mtlong',
    start,
    assets: { script: '/s.js', style: '/s.css' },
  });

describe('windowFigure', () => {
  it('leaves a figure of up to WINDOW.min steps as it is', () => {
    const { pages, host } = pagesHost();
    const tree = figureOf(WINDOW.min);
    expect(windowFigure(tree, host)).toBe(tree);
    expect(pages.size).toBe(0);
  });

  it('inlines the first steps and those around the start step, and links a page of every step', () => {
    const { pages, host } = pagesHost();
    const n = 300;
    const start = 200;
    const page = fromHtml(htmlBytes(windowFigure(figureOf(n, start), host)), { fragment: true });
    const ids = selectAll('.memtrace-step', page).map((li) => li.properties.id);
    const expected = [
      ...Array.from({ length: WINDOW.first }, (_, i) => i + 1),
      ...Array.from({ length: 2 * WINDOW.around + 1 }, (_, i) => start + 1 - WINDOW.around + i),
    ].map((k) => `mtlong-step-${k}`);
    expect(ids).toEqual(expected);
    expect(select('.memtrace-step.is-current', page)?.properties.id).toBe(`mtlong-step-${start + 1}`);
    // The controls still count every step.
    expect(select('input[data-mt=range]', page)?.properties.max).toBe(String(n));

    expect(pages.size).toBe(1);
    const [[fileName, html]] = [...pages];
    expect(fileName).toMatch(/^memtrace-steps\.[0-9a-f]{12}\.html$/);
    const figure = select('figure', page)!;
    expect(figure.properties.dataMore).toBe(`/_astro/${fileName}`);
    expect(select('.memtrace-more a', page)?.properties.href).toBe(`/_astro/${fileName}`);
    // The linked page: every step, under the same ids the stepper looks for, with the stylesheet and no script.
    const all = fromHtml(html);
    expect(selectAll('#mtlong .memtrace-step', all).map((li) => li.properties.id)).toEqual(
      Array.from({ length: n }, (_, i) => `mtlong-step-${i + 1}`),
    );
    expect(select('link[rel=stylesheet]', all)?.properties.href).toBe('/_astro/memtrace.css');
    expect(selectAll('script', all)).toHaveLength(0);
  });

  it('names the step page by its content', () => {
    const a = pagesHost();
    const b = pagesHost();
    windowFigure(figureOf(WINDOW.min + 1), a.host);
    windowFigure(figureOf(WINDOW.min + 1), b.host);
    windowFigure(figureOf(WINDOW.min + 2), b.host);
    expect([...b.pages.keys()][0]).toBe([...a.pages.keys()][0]);
    expect(b.pages.size).toBe(2);
  });
});

describe('pageFigure', () => {
  it('keeps a figure of few steps and few bytes whole', () => {
    const { pages, host } = pagesHost();
    const tree = figureOf(10);
    const placed = pageFigure(tree, host);
    expect(placed.tree).toBe(tree);
    expect(placed.html).toBe(htmlBytes(tree));
    expect(pages.size).toBe(0);
  });

  it('windows a figure of few steps whose HTML is over the budget, down to the budget', () => {
    const { pages, host } = pagesHost();
    // Under the count that windows a figure, but each step heavy: a long text version of every step.
    const n = WINDOW.min - 10;
    const lines = Array.from({ length: n }, (_, i) => (i % 7) + 1);
    const tree = renderFigure(
      handMadeFigure(lines, (k) => `Step ${k}: ${'a name, '.repeat(300)}`),
      { id: 'mtheavy', start: 0, assets: { script: '/s.js', style: '/s.css' } },
    );
    expect(htmlBytes(tree).length).toBeGreaterThan(WINDOW.bytes);
    const placed = pageFigure(tree, host);
    expect(placed.html.length).toBeLessThanOrEqual(WINDOW.bytes);
    const page = fromHtml(placed.html, { fragment: true });
    const inlined = selectAll('.memtrace-step', page).length;
    expect(inlined).toBeGreaterThan(1);
    expect(inlined).toBeLessThan(n);
    expect(pages.size).toBe(1);
    expect(selectAll('#mtheavy .memtrace-step', fromHtml([...pages.values()][0]!))).toHaveLength(n);
  });
});
