/**
 * Every size of a figure, in px, and the text caps: what the fragment builders (fragments.ts) lay out with and what
 * the stages of render() place and draw with. The main text is 13 px DejaVu Sans Mono.
 */
import { charWidth } from './font.ts';

/** Font size of the main text. */
export const FS = 13;
/** Font size of small labels (list indices, type labels, notes). */
export const SMALL = 11;
/** Advance of one character of the main text. */
export const CW = charWidth(FS);
/** Advance of one character of the small text. */
export const SCW = charWidth(SMALL);
/** Height of a value cell. */
export const CELL_H = 22;
/** Height of a line of code or output. */
export const LINE_H = 18;
/** Height of the row above an object that holds its type label. */
export const LABEL_H = 16;
/** Baseline of the small label text within the label row. */
export const LABEL_BASELINE = 11;
/** Longest text in a frame's value cell, a name, a container cell, a dict key. */
export const MAX = { value: 20, name: 16, item: 12, key: 16, other: 28, code: 64, output: 64 } as const;
/** Items drawn per container before "… N more". */
export const MAX_ITEMS = 12;
/** The change mark drawn left of a changed variable and after a new object's label. */
export const MARK = '✱';

/** Room left of a frame's names for the change mark. */
export const MARK_W = 2 * CW;
/** Padding inside a frame's box. */
export const FRAME_PAD = 8;
/** Where the change mark of a frame's row goes, from the frame's left edge. */
export const FRAME_MARK_X = FRAME_PAD + 3;
/** Height of a frame's header (its name and tag). */
export const FRAME_HEAD_H = 26;
/** Distance between the tops of two rows of a frame. */
export const ROW_PITCH = CELL_H + 4;
/** Height of a frame of `rows` variables. */
export const frameHeight = (rows: number): number => FRAME_HEAD_H + rows * ROW_PITCH + (rows ? FRAME_PAD - 4 : 0);
/** Height of the gap that stands for the calls a deep stack leaves out. */
export const OMITTED_H = CELL_H;
/** Height of a list cell's index label, which the writer draws (see OwnText). */
export const INDEX_H = 12;
/** Left of the line numbers: room for the two line arrows. */
export const ARROW_GUTTER = 28;
/** Lines of printed output shown at most. */
export const OUTPUT_LINES = 8;

// The figure's columns: code and output on the left, then the frames, then the objects.
/** Space around the whole figure. */
export const MARGIN = 10;
/** Height of the column headers' row. */
export const HEADER_H = 22;
/** Space between the code and the frames. */
export const CODE_TO_FRAMES = 28;
/** Space between the frames and the objects, where arrows turn. */
export const FRAMES_TO_OBJECTS = 56;
/** Space between two stacked frames. */
export const FRAME_GAP = 10;
/** The widest stacked diagram meant for a phone's column (a 360 px screen less the page's margins). */
export const NARROW_WIDTH = 328;
