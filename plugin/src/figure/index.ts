export { renderFigure, stepLabel, type FigureAssets, type FigureOptions } from './markup.ts';
export { h, htmlBytes, svgBytes, svgElement, toHtml } from './hast.ts';
export {
  clientAssets,
  assetFileNames,
  assetSizes,
  figureAssets,
  fontFace,
  inlineAssets,
  FONT_FAMILY,
  type AssetSize,
  type ClientAssets,
  type StaticAsset,
} from './assets.ts';
export type { RenderedFigure, RenderedStep } from './types.ts';
