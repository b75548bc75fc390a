/**
 * Where each object goes, decided over all shown steps before any is drawn (as Python Tutor does), so that stepping
 * never moves a box. Objects sit in a grid: an object reached from a variable starts a row (the first row whose
 * first cell is free); an object reached from another flows to the right of it (a linked list runs along a row,
 * the parts of a list of lists stack in the next column). An object keeps its cell while it is drawn; a freed cell
 * can be taken by a later object. Column widths and row heights are the largest over every object that ever sits
 * there, so all steps share one size.
 */
import { isRef, type HeapObject } from '../trace/format.ts';
import { childValues, type StepModel } from './model.ts';
import { FRAME_GAP, FRAME_HEAD_H, frameHeight, ROW_PITCH } from './sizes.ts';

export interface Slot {
  row: number;
  col: number;
  /**
   * Place in a stack: the small children of a tall object (a class's functions) stack beside it, one under the
   * other within its height, rather than each taking a row of its own below it. 0 or absent: the slot's top.
   */
  sub?: number;
}

const key = (s: Slot) => `${s.row},${s.col},${s.sub ?? 0}`;
/** Gap between the objects of one stack. */
export const STACK_GAP = 10;

type SizeOf = (step: number, id: number) => { w: number; h: number };

/** Each object's largest height over the steps. */
function heights(models: StepModel[], sizeOf: SizeOf): Map<number, number> {
  const out = new Map<number, number>();
  models.forEach((m, k) => {
    for (const o of m.objects) if (o.status !== 'freed') out.set(o.id, Math.max(out.get(o.id) ?? 0, sizeOf(k, o.id).h));
  });
  return out;
}

/**
 * Per step, heap id → slot. Freed objects that never had a slot are left out (they are not drawn). With the
 * objects' sizes, a child stacks beside its parent while the stack stays within the parent's height (and a little).
 */
export function assignSlots(models: StepModel[], sizeOf?: SizeOf): Map<number, Slot>[] {
  const height = sizeOf ? heights(models, sizeOf) : new Map<number, number>();
  // Per stack (row, col): the height each place in it has been given (the tallest object ever there).
  const stacks = new Map<string, number[]>();
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
      const places = stacks.get(`${s.row},${s.col}`) ?? [];
      places[s.sub ?? 0] = Math.max(places[s.sub ?? 0] ?? 0, height.get(id) ?? 0);
      stacks.set(`${s.row},${s.col}`, places);
    };
    /** A free place in the stack beside `parent`, low enough to stay within its height (and a little). */
    const stacked = (id: number, parentId: number, parent: Slot): Slot | undefined => {
      const h = height.get(id);
      const cap = height.get(parentId);
      if (h === undefined || cap === undefined || (parent.sub ?? 0) > 0) return undefined;
      const places = stacks.get(`${parent.row},${parent.col + 1}`) ?? [];
      let y = 0;
      for (let sub = 0; ; sub++) {
        const here = places[sub];
        if (y + (here ?? h) > cap + ROW_GAP * 2) return undefined;
        const s = { row: parent.row, col: parent.col + 1, sub };
        if (!taken.has(key(s)) && (here === undefined || h <= here || sub === places.length - 1))
          return sub ? s : { row: s.row, col: s.col };
        y += (here ?? h) + STACK_GAP;
      }
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
      const beside = parent && stacked(o.id, o.parent!, parent);
      if (beside) {
        take(o.id, beside);
        continue;
      }
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
  return reorderRows(models, out, rows);
}

/** Per heap id, the height in the frames column of the variable it is reached from at this step (when it is). */
function sourceYs(m: StepModel): Map<number, number> {
  const out = new Map<number, number>();
  let y = 0;
  for (const f of m.frames) {
    f.rows.forEach((r, j) => {
      if ('ref' in r.value && !out.has(r.value.ref)) out.set(r.value.ref, y + FRAME_HEAD_H + j * ROW_PITCH);
    });
    y += frameHeight(f.rows.length) + FRAME_GAP;
  }
  return out;
}

/**
 * Which rows belong to the block of the row above them: `glued[r]` when an object and its part (the object it was
 * first reached from) sit on either side of row r's top. A structure that spans several rows is one block.
 */
export function gluedRows(models: StepModel[], slots: Map<number, Slot>[], rows: number): boolean[] {
  const glued = new Array<boolean>(rows).fill(false);
  models.forEach((m, k) => {
    const at = slots[k]!;
    for (const o of m.objects) {
      const s = at.get(o.id);
      const p = o.parent === null ? undefined : at.get(o.parent);
      if (s && p && p.row !== s.row)
        for (let r = Math.min(p.row, s.row) + 1; r <= Math.max(p.row, s.row); r++) glued[r] = true;
    }
  });
  return glued;
}

/**
 * Each row's key, the mean height of the variables its first-column objects are reached from over the steps (a row
 * no variable reaches takes the key of the row before it), and whether a variable reaches it.
 */
function rowKeys(models: StepModel[], slots: Map<number, Slot>[], rows: number) {
  const sum = new Array<number>(rows).fill(0);
  const count = new Array<number>(rows).fill(0);
  models.forEach((m, k) => {
    const ys = sourceYs(m);
    const at = slots[k]!;
    for (const o of m.objects) {
      const s = at.get(o.id);
      const y = ys.get(o.id);
      if (s?.col === 0 && o.parent === null && y !== undefined) {
        sum[s.row] += y;
        count[s.row]++;
      }
    }
  });
  const keys: number[] = [];
  for (let r = 0; r < rows; r++) keys.push(count[r] ? sum[r]! / count[r]! : (keys[r - 1] ?? -Infinity));
  return { keys, reached: count.map((n) => n > 0) };
}

/**
 * The rows of the grid in the order the stacked arrangement puts their lines, top to bottom. Its frames' arrows run
 * right to a bus, left under the frames and down a gutter left of the objects into their targets, nested (arrows.ts,
 * nestedDown) so that none crosses another when the structure of the first variable comes first: the blocks of rows
 * (a structure that spans several, see gluedRows) go in the grid's order (that of the variables reaching them), the
 * rows of each along its pointers, so that a new variable's object sits as near its variable as it can.
 */
export function stackedRowOrder(models: StepModel[], slots: Map<number, Slot>[]): number[] {
  const rows = 1 + Math.max(-1, ...slots.flatMap((m) => [...m.values()].map((s) => s.row)));
  const glued = gluedRows(models, slots, rows);
  const blocks: number[][] = [];
  for (let r = 0; r < rows; r++) {
    if (glued[r] && blocks.length) blocks.at(-1)!.push(r);
    else blocks.push([r]);
  }
  const parents = rowParents(models, slots);
  return blocks.flatMap((b) => byParents(b, parents));
}

/**
 * Per used slot (by `row,col,sub`), the row of the parent of the object that sits there (the object it was first
 * reached from) and where the reference to it comes among the parent's, at the last step one with a parent does.
 */
export function slotParents(
  models: StepModel[],
  slots: Map<number, Slot>[],
): Map<string, { row: number; nth: number }> {
  const out = new Map<string, { row: number; nth: number }>();
  models.forEach((m, k) => {
    const byId = new Map(m.objects.map((o) => [o.id, o]));
    for (const o of m.objects) {
      const s = slots[k]!.get(o.id);
      const p = o.parent === null ? undefined : byId.get(o.parent);
      const ps = p && slots[k]!.get(p.id);
      if (s && p && ps) out.set(key(s), { row: ps.row, nth: refsIn(p.obj).indexOf(o.id) });
    }
  });
  return out;
}

/** The heap ids an object points to, in the order its cells draw them (those it leaves out too). */
const refsIn = (obj: HeapObject): number[] => childValues(obj, true).flatMap((v) => (isRef(v) ? [v.ref] : []));

/**
 * Per row, the row of the object its first object hangs from (its parent, at the last step it is drawn) and where
 * in that parent the reference sits (the parent's n-th reference).
 */
function rowParents(models: StepModel[], slots: Map<number, Slot>[]): Map<number, { row: number; nth: number }> {
  const out = new Map<number, { row: number; nth: number }>();
  models.forEach((m, k) => {
    const byId = new Map(m.objects.map((o) => [o.id, o]));
    // The leftmost object of each row at this step, and what it hangs from.
    const first = new Map<number, { col: number; parent?: { row: number; nth: number } }>();
    for (const o of m.objects) {
      const s = slots[k]!.get(o.id);
      if (!s || (s.sub ?? 0) > 0 || (first.get(s.row)?.col ?? Infinity) <= s.col) continue;
      const p = o.parent === null ? undefined : byId.get(o.parent);
      const ps = p && slots[k]!.get(p.id);
      const parent = p && ps && ps.row !== s.row ? { row: ps.row, nth: refsIn(p.obj).indexOf(o.id) } : undefined;
      first.set(s.row, { col: s.col, ...(parent ? { parent } : {}) });
    }
    for (const [row, f] of first) {
      if (f.parent) out.set(row, f.parent);
      else out.delete(row);
    }
  });
  return out;
}

/**
 * The rows of one block, each after the row it hangs from, and the rows that hang from one row in reverse order of
 * the references to them (an object's arrows leave its rows down a bus of their own, the higher dot further out,
 * so the target of the last reference comes first): depth first from the block's rows that hang from none in it.
 */
function byParents(rows: number[], parents: Map<number, { row: number; nth: number }>): number[] {
  const inBlock = new Set(rows);
  const kids = new Map<number, number[]>();
  const roots: number[] = [];
  for (const r of rows) {
    const p = parents.get(r);
    if (p && inBlock.has(p.row) && p.row !== r) kids.set(p.row, [...(kids.get(p.row) ?? []), r]);
    else roots.push(r);
  }
  const out: number[] = [];
  const seen = new Set<number>();
  const visit = (r: number) => {
    if (seen.has(r)) return;
    seen.add(r);
    out.push(r);
    const under = (kids.get(r) ?? []).sort((a, b) => parents.get(b)!.nth - parents.get(a)!.nth || a - b);
    for (const c of under) visit(c);
  };
  for (const r of roots) visit(r);
  for (const r of rows) visit(r);
  return out;
}

/**
 * Per row, the rows holding parts of its objects: objects whose parent (the object they were first reached from)
 * sits in it at the last step they are drawn, when the structure is built.
 */
function partRows(models: StepModel[], slots: Map<number, Slot>[]): Map<number, Set<number>> {
  const last = new Map<number, [number, number]>();
  models.forEach((m, k) => {
    for (const o of m.objects) {
      const s = slots[k]!.get(o.id);
      const p = o.parent === null ? undefined : slots[k]!.get(o.parent);
      if (s) last.set(o.id, [s.row, p?.row ?? s.row]);
    }
  });
  const out = new Map<number, Set<number>>();
  for (const [row, parent] of last.values())
    if (parent !== row) out.set(parent, (out.get(parent) ?? new Set()).add(row));
  return out;
}

/**
 * The rows of one block in the order of its pointers: a row after the rows whose objects its objects are parts of
 * (a linked list reads down from its head, a tree from its root), else in their order; where the pointers go round
 * in a cycle, the first row left goes next.
 */
function alongPointers(rows: number[], parts: Map<number, Set<number>>): number[] {
  const left = new Set(rows);
  const out: number[] = [];
  const waits = (r: number) => rows.some((p) => left.has(p) && p !== r && parts.get(p)?.has(r));
  while (left.size) {
    const next = rows.find((r) => left.has(r) && !waits(r)) ?? rows.find((r) => left.has(r))!;
    out.push(next);
    left.delete(next);
  }
  return out;
}

/**
 * The rows put in the order of the variables that point at them, so that arrows from the frames do not cross: a
 * row's key is the mean height of the variables its first-column objects are reached from, over the steps. A
 * structure that spans several rows (an object whose part sits in a lower row) moves as one block, and a block
 * whose first column no variable reaches stays after the block before it. Rows move as wholes over every step, so
 * no object changes place while it lives.
 */
function reorderRows(models: StepModel[], slots: Map<number, Slot>[], rows: number): Map<number, Slot>[] {
  if (rows < 2) return slots;
  const glued = gluedRows(models, slots, rows);
  const { keys } = rowKeys(models, slots, rows);
  const blocks: { rows: number[]; key: number }[] = [];
  for (let r = 0; r < rows; r++) {
    if (glued[r] && blocks.length) blocks.at(-1)!.rows.push(r);
    else blocks.push({ rows: [r], key: keys[r]! });
  }
  // Stable: blocks with equal keys keep their order.
  const order = blocks.map((b, i) => ({ b, i })).sort((x, y) => x.b.key - y.b.key || x.i - y.i);
  const to = new Array<number>(rows);
  let n = 0;
  const parts = partRows(models, slots);
  for (const { b } of order) for (const r of alongPointers(b.rows, parts)) to[r] = n++;
  if (to.every((t, r) => t === r)) return slots;
  return slots.map((m) => new Map([...m].map(([id, s]) => [id, { ...s, row: to[s.row]! }])));
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
  // Per row and column, the height of each place in its stack.
  const subH: number[][][] = [];
  slots.forEach((m, step) => {
    for (const [id, s] of m) {
      const size = sizeOf(step, id);
      (w[s.row] ??= [])[s.col] = Math.max(w[s.row]?.[s.col] ?? 0, size.w);
      const places = ((subH[s.row] ??= [])[s.col] ??= []);
      places[s.sub ?? 0] = Math.max(places[s.sub ?? 0] ?? 0, size.h);
    }
  });
  // A stack's places, top to bottom (a place no object ever takes is empty and takes no room).
  const subY = (r: number, c: number): number[] => {
    const ys: number[] = [];
    let y = 0;
    for (const h of subH[r]?.[c] ?? []) {
      ys.push(y);
      if (h !== undefined) y += h + STACK_GAP;
    }
    return ys;
  };
  const stackH = (places: number[]) => places.reduce((y, h) => y + h + STACK_GAP, -STACK_GAP);
  const rowH: number[] = Array.from(subH, (cols) => Math.max(0, ...(cols ?? []).filter(Boolean).map(stackH)));
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
    at: (s) => ({ x: x[s.row]?.[s.col] ?? 0, y: (rowY[s.row] ?? 0) + (s.sub ? (subY(s.row, s.col)[s.sub] ?? 0) : 0) }),
    rowY,
    gaps: [...gaps].sort((a, b) => a - b),
    width,
    height: Math.max(0, y - ROW_GAP),
  };
}

/**
 * Room to leave right of and under the objects for arrows from list items up to objects in rows above, from lists with two or more (they run
 * under their list, then up lanes of their own on the right, see arrows.ts): for the most such arrows of one step,
 * past the 24 px every figure keeps on the right; under the last row, for the most from one list there.
 */
export function upLanesRoom(models: StepModel[], slots: Map<number, Slot>[]): { w: number; h: number } {
  let most = 0;
  let under = 0;
  models.forEach((m, k) => {
    let n = 0;
    const lastRow = Math.max(-1, ...[...slots[k]!.values()].map((s) => s.row));
    for (const o of m.objects) {
      const s = slots[k]!.get(o.id);
      if (!s || !('items' in o.obj)) continue;
      let up = 0;
      // Those from under their target's column may go straight up; counted all the same (room is cheap).
      for (const v of o.obj.items) if ('ref' in v && (slots[k]!.get(v.ref)?.row ?? Infinity) < s.row) up++;
      if (up < 2) continue;
      n += up;
      if (s.row === lastRow) under = Math.max(under, up);
    }
    most = Math.max(most, n);
  });
  if (most < 2) return { w: 0, h: 0 };
  return { w: Math.max(0, 12 + most * 3 - 24), h: under ? Math.max(0, 6 + under * 3 - 10) : 0 };
}
