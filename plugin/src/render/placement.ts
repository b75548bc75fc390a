/**
 * Where each object goes, decided over all shown steps before any is drawn (as Python Tutor does), so that stepping
 * never moves a box. Objects sit in a grid: an object reached from a variable starts a row (the first row whose
 * first cell is free); an object reached from another flows to the right of it (a linked list runs along a row,
 * the parts of a list of lists stack in the next column). An object keeps its cell while it is drawn; a freed cell
 * can be taken by a later object. Column widths and row heights are the largest over every object that ever sits
 * there, so all steps share one size.
 */
import type { StepModel } from './model.ts';

export interface Slot {
  row: number;
  col: number;
}

const key = (s: Slot) => `${s.row},${s.col}`;

/** Per step, heap id → slot. Freed objects that never had a slot are left out (they are not drawn). */
export function assignSlots(models: StepModel[]): Map<number, Slot>[] {
  let current = new Map<number, Slot>();
  const last = new Map<number, Slot>();
  let rows = 0;
  const out: Map<number, Slot>[] = [];
  for (const m of models) {
    const next = new Map<number, Slot>();
    const taken = new Set<string>();
    for (const o of m.objects) {
      const s = current.get(o.id);
      if (s) {
        next.set(o.id, s);
        taken.add(key(s));
      }
    }
    const free = (s: Slot) => s.row < rows && !taken.has(key(s));
    const take = (id: number, s: Slot) => {
      if (s.row >= rows) rows = s.row + 1;
      next.set(id, s);
      taken.add(key(s));
      last.set(id, s);
    };
    for (const o of m.objects) {
      if (next.has(o.id)) continue;
      if (o.status === 'freed') continue;
      const before = last.get(o.id);
      if (before && free(before)) {
        take(o.id, before);
        continue;
      }
      const parent = o.parent === null ? undefined : next.get(o.parent);
      const col = parent ? parent.col + 1 : 0;
      let row = -1;
      for (let r = parent ? parent.row : 0; r < rows; r++) {
        if (free({ row: r, col })) {
          row = r;
          break;
        }
      }
      take(o.id, { row: row < 0 ? rows : row, col });
    }
    out.push(next);
    current = next;
  }
  return out;
}

export interface Grid {
  /** Top left corner of a slot, relative to the objects area. */
  at(slot: Slot): { x: number; y: number };
  /** Top edge of each row. */
  rowY: number[];
  /** x of the free gap right of every used slot (lanes for arrows). */
  gaps: number[];
  width: number;
  height: number;
}

export const COL_GAP = 44;
export const ROW_GAP = 22;

/**
 * Each row lays its slots out left to right at their widest; a slot whose left neighbour is never used lines up
 * with the same column of the row above, so that the parts of a structure stack under each other.
 */
export function grid(slots: Map<number, Slot>[], sizeOf: (step: number, id: number) => { w: number; h: number }): Grid {
  const w: number[][] = [];
  const rowH: number[] = [];
  slots.forEach((m, step) => {
    for (const [id, s] of m) {
      const size = sizeOf(step, id);
      (w[s.row] ??= [])[s.col] = Math.max(w[s.row]?.[s.col] ?? 0, size.w);
      rowH[s.row] = Math.max(rowH[s.row] ?? 0, size.h);
    }
  });
  const x: number[][] = [];
  const gaps = new Set<number>();
  let width = 0;
  for (let r = 0; r < rowH.length; r++) {
    const row = (x[r] = [0]);
    const widths = w[r] ?? [];
    for (let c = 1; c < widths.length; c++) {
      const left = widths[c - 1];
      row[c] = left !== undefined ? row[c - 1]! + left + COL_GAP : Math.max(x[r - 1]?.[c] ?? 0, row[c - 1]!);
    }
    widths.forEach((wc, c) => {
      if (wc === undefined) return;
      width = Math.max(width, row[c]! + wc);
      gaps.add(row[c]! + wc + COL_GAP / 2);
    });
  }
  const rowY: number[] = [];
  let y = 0;
  for (let r = 0; r < rowH.length; r++) {
    rowY.push(y);
    y += (rowH[r] ?? 0) + ROW_GAP;
  }
  return {
    at: (s) => ({ x: x[s.row]?.[s.col] ?? 0, y: rowY[s.row] ?? 0 }),
    rowY,
    gaps: [...gaps].sort((a, b) => a - b),
    width,
    height: Math.max(0, y - ROW_GAP),
  };
}
