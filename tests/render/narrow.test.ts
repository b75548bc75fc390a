/** The stacked placement of a diagram (objects below the frames, in lines no wider than a phone's column). */
import { expect, test } from 'vitest';
import { placeNarrow, type NarrowSpec } from '../../plugin/src/render/narrow.ts';
import type { Slot } from '../../plugin/src/render/placement.ts';

const spec = (
  slots: Map<number, Slot>[],
  sizes: Record<number, { w: number; h: number }>,
  maxWidth = 280,
): NarrowSpec => ({
  x: 10,
  top: 10,
  headerH: 22,
  framesWidth: 150,
  framesHeight: 200,
  slots,
  sizeOf: (_k, id) => sizes[id]!,
  maxWidth,
});

test('puts every object below the frames and its header, inside the column', () => {
  const slots = [
    new Map<number, Slot>([
      [1, { row: 0, col: 0 }],
      [2, { row: 1, col: 0 }],
    ]),
  ];
  const p = placeNarrow(spec(slots, { 1: { w: 100, h: 40 }, 2: { w: 120, h: 30 } }));
  expect(p.framesTop).toBe(32);
  expect(p.objectsHeaderY!).toBeGreaterThan(32 + 200);
  const a = p.at({ row: 0, col: 0 });
  const b = p.at({ row: 1, col: 0 });
  expect(a.y).toBeGreaterThanOrEqual(p.objectsHeaderY! + 22);
  // One wide row per line, in order.
  expect(b.y).toBeGreaterThanOrEqual(a.y + 40);
  expect(p.right).toBeLessThanOrEqual(10 + 280 + 24);
  expect(p.bottom).toBe(b.y + 30);
});

test('wraps a row wider than the column onto more lines, the parts of one structure beside each other while they fit', () => {
  // A linked list of four nodes, each 110 px wide: two fit on a line of 280.
  const row = new Map<number, Slot>([1, 2, 3, 4].map((id, i) => [id, { row: 0, col: i }]));
  const sizes = Object.fromEntries([1, 2, 3, 4].map((id) => [id, { w: 110, h: 30 }]));
  const p = placeNarrow(spec([row], sizes));
  const at = [0, 1, 2, 3].map((col) => p.at({ row: 0, col }));
  expect(at[1]!.y).toBe(at[0]!.y);
  expect(at[1]!.x).toBeGreaterThan(at[0]!.x + 110);
  expect(at[2]!.y).toBeGreaterThan(at[0]!.y + 30);
  expect(at[3]!.y).toBe(at[2]!.y);
  for (const a of at) expect(a.x + 110).toBeLessThanOrEqual(10 + 280);
  // A lane between the two lines, for the arrow from the second node down to the third.
  expect(p.lanes.some((y) => y > at[0]!.y + 30 && y < at[2]!.y)).toBe(true);
});

test('gives an object the place of its slot at every step, the largest size its slot ever holds', () => {
  const steps = [
    new Map<number, Slot>([[1, { row: 0, col: 0 }]]),
    new Map<number, Slot>([
      [1, { row: 0, col: 0 }],
      [2, { row: 1, col: 0 }],
    ]),
  ];
  const sizes = (k: number, id: number) => (id === 1 ? { w: 60, h: k === 0 ? 20 : 50 } : { w: 60, h: 20 });
  const p = placeNarrow({ ...spec(steps, {}), sizeOf: sizes });
  // Row 1 goes below the tallest row 0 ever is.
  expect(p.at({ row: 1, col: 0 }).y).toBeGreaterThanOrEqual(p.at({ row: 0, col: 0 }).y + 50);
});

test('runs the arrows down a lane right of the objects, and down a gap only where it passes every object', () => {
  const slots = [
    new Map<number, Slot>([
      [1, { row: 0, col: 0 }],
      [2, { row: 1, col: 0 }],
    ]),
  ];
  const p = placeNarrow(spec(slots, { 1: { w: 60, h: 20 }, 2: { w: 200, h: 20 } }));
  const gutter = Math.max(...p.columns);
  expect(gutter).toBeGreaterThan(10 + 200);
  expect(gutter).toBeLessThan(p.right);
  // The gap right of the first object runs through the second, wider one below it: not a lane.
  expect(p.columns.filter((x) => x > 10 + 60 && x < 10 + 200)).toEqual([]);
});

test('has no objects header and no lanes when no step has an object', () => {
  const p = placeNarrow(spec([new Map()], {}));
  expect(p.objectsHeaderY).toBeUndefined();
  expect(p.lanes).toEqual([]);
  expect(p.bottom).toBe(32 + 200);
});

test('starts a band at the first row wider than the column, at its boxes, that the rows after it stay in', () => {
  const slots = [
    new Map<number, Slot>([
      [1, { row: 0, col: 0 }],
      [2, { row: 1, col: 0 }],
      [3, { row: 2, col: 0 }],
    ]),
  ];
  const p = placeNarrow(spec(slots, { 1: { w: 120, h: 30 }, 2: { w: 400, h: 40 }, 3: { w: 100, h: 30 } }));
  const [a, long, b] = [p.at({ row: 0, col: 0 }), p.at({ row: 1, col: 0 }), p.at({ row: 2, col: 0 })];
  // The rows keep their order: the narrow row after the long one goes below it, in the band, not above it.
  expect(long.y).toBeGreaterThan(a.y + 30);
  expect(b.y).toBeGreaterThan(long.y + 40);
  // The band starts under the long row's type label (16 px), at the top of its box.
  expect(p.band).toEqual({ top: long.y + 16, right: expect.any(Number) });
  // Everything above the band fits the column; the long object alone runs past it.
  expect(p.band!.right).toBeLessThanOrEqual(10 + 280 + 24);
  expect(p.right).toBeGreaterThanOrEqual(10 + 400);
  // No vertical lane ends at the long object, nor is one kept from the gap right of a narrow one by it.
  expect(p.columns.filter((x) => x > 10 + 280 + 24)).toEqual([]);
  expect(p.columns).toContain(10 + 120 + 14);
});

test('has no band when every object fits the column', () => {
  const slots = [new Map<number, Slot>([[1, { row: 0, col: 0 }]])];
  expect(placeNarrow(spec(slots, { 1: { w: 280, h: 40 } })).band).toBeUndefined();
});

test('flows a row of parts of one parent with the column of its other parts, last reference first', () => {
  // A class (row 0) whose methods the grid stacked beside it, and, for want of room there, put one in a row of its own.
  const slots = [
    new Map<number, Slot>([
      [1, { row: 0, col: 0 }],
      [2, { row: 0, col: 1 }],
      [3, { row: 0, col: 1, sub: 1 }],
      [4, { row: 1, col: 1 }],
    ]),
  ];
  const parents = new Map([
    ['0,1,0', { row: 0, nth: 0 }],
    ['0,1,1', { row: 0, nth: 1 }],
    ['1,1,0', { row: 0, nth: 2 }],
  ]);
  const sizes = { 1: { w: 120, h: 60 }, 2: { w: 200, h: 20 }, 3: { w: 200, h: 20 }, 4: { w: 200, h: 20 } };
  const p = placeNarrow({ ...spec(slots, sizes), parents });
  const [first, second, third] = [p.at({ row: 0, col: 1 }), p.at({ row: 0, col: 1, sub: 1 }), p.at({ row: 1, col: 1 })];
  // Reversed, the class's bus nests: the part of its last reference goes highest, that of its first lowest.
  expect(third.y).toBeLessThan(second.y);
  expect(second.y).toBeLessThan(first.y);
});
