import type { Element, Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { select, selectAll } from 'hast-util-select';
import { toString } from 'hast-util-to-string';
import { describe, expect, it } from 'vitest';
import { htmlBytes, inlineAssets, renderFigure as figureTree, svgElement } from '../../plugin/src/figure/index.ts';
import { HEIGHT, WIDTH, handMadeFigure } from './helpers.ts';

const parse = (html: string): Root => fromHtml(html, { fragment: true });
/** The figure's HTML, as a host that splices in raw HTML gets it. */
const renderFigure = (...args: Parameters<typeof figureTree>): string => htmlBytes(figureTree(...args));
const attr = (el: Element | undefined, name: string) => el?.properties[name];

describe('renderFigure', () => {
  const lines = [1, 2, 5, 2, 7];
  const html = renderFigure(handMadeFigure(lines), { id: 'demo', title: 'Two names', start: 2, code: 'x = 1\n' });
  const tree = parse(html);

  it('lists every step in order, each with its SVG, caption and text version', () => {
    const items = selectAll('ol.memtrace-steps > li.memtrace-step', tree);
    expect(items).toHaveLength(lines.length);
    items.forEach((li, i) => {
      expect(attr(li, 'id')).toBe(`demo-step-${i + 1}`);
      expect(attr(li, 'dataLine')).toBe(String(lines[i]));
      expect(toString(select('.memtrace-caption', li)!)).toBe(`Step ${i + 1} of ${lines.length}, line ${lines[i]}`);
      expect(attr(select('.memtrace-view > .mt-dia > svg.mt-x', li), 'ariaLabel')).toBe(`step ${i + 1}`);
      expect(toString(select('details.memtrace-text > pre', li)!)).toBe(`Step ${i + 1}: x = ${i + 1}`);
    });
  });

  it('marks only the start step current and reflects it in the controls', () => {
    const current = selectAll('.memtrace-step.is-current', tree);
    expect(current.map((li) => attr(li, 'id'))).toEqual(['demo-step-3']);
    expect(toString(select('[data-mt=status]', tree)!)).toBe('Step 3 of 5, line 5');
    const range = select('input[type=range][data-mt=range]', tree)!;
    expect([attr(range, 'min'), attr(range, 'max'), attr(range, 'value')]).toEqual(['1', '5', '3']);
    const disabled = Object.fromEntries(
      selectAll('button[data-go]', tree).map((b) => [attr(b, 'dataGo'), attr(b, 'ariaDisabled')]),
    );
    expect(disabled).toEqual({ first: 'false', prev: 'false', next: 'false', last: 'false' });
  });

  it('disables the buttons that would not move at either end', () => {
    const at = (start: number) =>
      Object.fromEntries(
        selectAll('button[data-go]', parse(renderFigure(handMadeFigure(lines), { id: 'e', start }))).map((b) => [
          attr(b, 'dataGo'),
          attr(b, 'ariaDisabled'),
        ]),
      );
    expect(at(0)).toEqual({ first: 'true', prev: 'true', next: 'false', last: 'false' });
    expect(at(4)).toEqual({ first: 'false', prev: 'false', next: 'true', last: 'true' });
  });

  it('has a polite live region, a caption, the code, and every button labelled', () => {
    expect(attr(select('[data-mt=live]', tree), 'ariaLive')).toBe('polite');
    expect(toString(select('figure.memtrace > figcaption', tree)!)).toBe('Two names');
    expect(toString(select('details.memtrace-code pre', tree)!)).toBe('x = 1\n');
    for (const b of selectAll('button', tree)) expect(attr(b, 'type')).toBe('button');
    expect(
      selectAll('button', tree).map((b) =>
        toString(b)
          .replace(/[«‹›»]/g, '')
          .trim(),
      ),
    ).toEqual(['First', 'Prev', 'Next', 'Last']);
  });

  it('names an untitled figure', () => {
    const fig = select('figure', parse(renderFigure(handMadeFigure([1]), { id: 'u' })));
    expect(attr(fig, 'ariaLabel')).toBe('Memory diagram');
    expect(select('figcaption', parse(renderFigure(handMadeFigure([1]), { id: 'u' })))).toBeUndefined();
  });

  it('escapes the title, the text versions and the code', () => {
    const evil = `</pre><script>alert("x")</script><img src=x onerror=alert(1)> & 'q'`;
    const out = renderFigure(
      handMadeFigure([1, 2], () => evil),
      { id: 'x', title: evil, code: evil },
    );
    const t = parse(out);
    expect(selectAll('script, img', t)).toHaveLength(0);
    expect(toString(select('figcaption', t)!)).toBe(evil);
    expect(toString(select('details.memtrace-code pre', t)!)).toBe(evil);
    for (const pre of selectAll('details.memtrace-text pre', t)) expect(toString(pre)).toBe(evil);
  });

  it('links the assets once per page, escaped, and no other URL', () => {
    const assets = {
      script: '/base/_astro/memtrace.0123abcd.js?a=1&b="2"',
      style: '/base/_astro/memtrace.89abcdef.css',
    };
    const first = parse(renderFigure(handMadeFigure([1, 2]), { id: 'a', assets }));
    expect(attr(select('link[rel=stylesheet]', first), 'href')).toBe(assets.style);
    const script = select('script', first);
    expect([attr(script, 'type'), attr(script, 'src')]).toEqual(['module', assets.script]);
    const urls = (t: Root) => selectAll('[href], [src]', t).map((el) => String(attr(el, 'href') ?? attr(el, 'src')));
    expect(urls(first).sort()).toEqual([assets.script, assets.style].sort());

    const second = parse(renderFigure(handMadeFigure([1, 2]), { id: 'b', assets, firstOnPage: false }));
    expect(selectAll('link, script, style', second)).toHaveLength(0);
    expect(urls(second)).toEqual([]);
    expect(urls(tree)).toEqual([]);
  });

  it('inlines the script and style when asked', () => {
    const t = parse(renderFigure(handMadeFigure([1, 2]), { id: 'i', assets: 'inline' }));
    const { js, css } = inlineAssets();
    expect(toString(select('style', t)!)).toBe(css);
    const script = select('script', t)!;
    expect(attr(script, 'type')).toBe('module');
    expect(toString(script)).toBe(js);
    expect(css).not.toMatch(/url\(/);
  });

  it('gives every SVG the figure size it lacks, and keeps what the renderer set', () => {
    const bare = handMadeFigure([1, 2]);
    bare.steps[0].tree = svgElement('svg', { role: 'img' }, [svgElement('rect', {})]);
    bare.steps[1].tree = svgElement('svg', { role: 'img', width: 100, viewBox: '0 0 100 50' }, [
      svgElement('rect', {}),
    ]);
    const svgs = selectAll('svg', parse(renderFigure(bare, { id: 's' })));
    expect([attr(svgs[0], 'width'), attr(svgs[0], 'height'), attr(svgs[0], 'viewBox')]).toEqual([
      String(WIDTH),
      String(HEIGHT),
      `0 0 ${WIDTH} ${HEIGHT}`,
    ]);
    expect([attr(svgs[1], 'width'), attr(svgs[1], 'height'), attr(svgs[1], 'viewBox')]).toEqual([
      '100',
      String(HEIGHT),
      '0 0 100 50',
    ]);
  });

  it('defines what the steps share once, in an SVG that takes no room, before the steps', () => {
    expect(selectAll('svg.memtrace-defs', tree)).toHaveLength(0);
    const f = {
      ...handMadeFigure([1, 2, 3]),
      sharedTree: [
        svgElement('g', { id: 's-b' }, [svgElement('text', { x: 1, y: 2 }, [{ type: 'text', value: 'a  b' }])]),
      ],
    };
    f.steps.forEach((s) => s.tree.children.push(svgElement('use', { href: '#s-b' })));
    const t = parse(renderFigure(f, { id: 's' }));
    const defs = selectAll('svg.memtrace-defs', t);
    expect(defs).toHaveLength(1);
    expect([attr(defs[0], 'width'), attr(defs[0], 'height'), attr(defs[0], 'ariaHidden')]).toEqual(['0', '0', 'true']);
    expect(select('svg.memtrace-defs > defs > g#s-b', t)).toBeTruthy();
    expect(select('svg.memtrace-defs + ol.memtrace-steps', t)).toBeTruthy();
    expect(selectAll('.memtrace-step use', t)).toHaveLength(3);
  });

  it('is deterministic', () => {
    expect(renderFigure(handMadeFigure(lines), { id: 'demo', title: 'Two names', start: 2, code: 'x = 1\n' })).toBe(
      html,
    );
  });

  it('refuses what it cannot render', () => {
    const f = handMadeFigure([1, 2]);
    expect(() => renderFigure(f, { id: '1abc' })).toThrow(/id/);
    expect(() => renderFigure(f, { id: 'a b' })).toThrow(/id/);
    expect(() => renderFigure(f, { id: 'a', start: 2 })).toThrow(/start/);
    expect(() => renderFigure(f, { id: 'a', start: -1 })).toThrow(/start/);
    expect(() => renderFigure({ ...f, steps: [] }, { id: 'a' })).toThrow(/no steps/);
    expect(() =>
      renderFigure(
        { ...f, steps: [{ ...f.steps[0], tree: { type: 'element', tagName: 'div', properties: {}, children: [] } }] },
        { id: 'a' },
      ),
    ).toThrow(/svg/);
  });
});
