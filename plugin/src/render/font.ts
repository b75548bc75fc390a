/**
 * The one font memtrace draws with. satori needs its data for metrics; the page must load the same file under the
 * same family name (the figure/CSS side adds the @font-face), or the text drifts off its boxes.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Family name the SVGs ask for; @fontsource/dejavu-mono's own CSS declares this name. */
export const FONT_FAMILY = 'DejaVu Mono';
/** The value of the SVGs' font-family attribute (single-quoted names, so it sits inside a double-quoted attribute). */
export const FONT_STACK = `'DejaVu Mono','DejaVu Sans Mono',monospace`;

const require = createRequire(import.meta.url);
/** Absolute paths of the font files (WOFF2 for the page, WOFF for satori; same glyphs, same metrics). */
export const FONT_FILES = {
  woff2: require.resolve('@fontsource/dejavu-mono/files/dejavu-mono-latin-400-normal.woff2'),
  woff: require.resolve('@fontsource/dejavu-mono/files/dejavu-mono-latin-400-normal.woff'),
};

/** Advance width of every glyph in DejaVu Sans Mono, in em (1233 / 2048 units). */
export const ADVANCE_EM = 1233 / 2048;
export const charWidth = (fontSize: number): number => fontSize * ADVANCE_EM;

let fonts: { name: string; data: Buffer; weight: 400; style: 'normal' }[] | undefined;
/** The satori font list; one array for the whole process, so satori parses the font once. */
export function satoriFonts() {
  fonts ??= [{ name: FONT_FAMILY, data: readFileSync(FONT_FILES.woff), weight: 400, style: 'normal' }];
  return fonts;
}
