/** Hand-made figures for the markup tests: the renderer's contract, without the renderer. */
import type { RenderedFigure } from '../../plugin/src/figure/index.ts';

export const WIDTH = 320;
export const HEIGHT = 120;

export function handMadeFigure(lines: number[], text = (k: number) => `Step ${k}: x = ${k}`): RenderedFigure {
  return {
    width: WIDTH,
    height: HEIGHT,
    steps: lines.map((line, i) => ({
      index: i,
      line,
      svg:
        `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="step ${i + 1}" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">` +
        `<rect width="${WIDTH}" height="${HEIGHT}" style="fill:var(--memtrace-bg,#fff)"/>` +
        `<text x="10" y="60" style="fill:var(--memtrace-fg,#000)">x = ${i + 1}</text></svg>`,
      text: text(i + 1),
    })),
  };
}
