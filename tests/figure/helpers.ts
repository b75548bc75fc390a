/** Hand-made figures for the markup tests: the renderer's contract, without the renderer. */
import { svgBytes, svgElement } from '../../plugin/src/figure/hast.ts';
import type { RenderedFigure } from '../../plugin/src/figure/index.ts';

export const WIDTH = 320;
export const HEIGHT = 120;

export function handMadeFigure(lines: number[], text = (k: number) => `Step ${k}: x = ${k}`): RenderedFigure {
  return {
    width: WIDTH,
    height: HEIGHT,
    steps: lines.map((line, i) => {
      const tree = svgElement(
        'svg',
        {
          xmlns: 'http://www.w3.org/2000/svg',
          role: 'img',
          'aria-label': `step ${i + 1}`,
          width: WIDTH,
          height: HEIGHT,
          viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
        },
        [
          svgElement('rect', { width: WIDTH, height: HEIGHT, style: 'fill:var(--memtrace-bg,#fff)' }),
          svgElement('text', { x: 10, y: 60, style: 'fill:var(--memtrace-fg,#000)' }, [
            { type: 'text', value: `x = ${i + 1}` },
          ]),
        ],
      );
      return { index: i, line, svg: svgBytes(tree), tree, text: text(i + 1) };
    }),
  };
}
