// The renderer owns these; figure/ only reads them (type-only, so importing figure/ never loads satori).
export type { RenderedFigure, RenderedStep } from '../render/index.ts';
