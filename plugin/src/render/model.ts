/**
 * What one step shows, before any drawing: the visible frames and their rows, the visible objects in order of
 * reach, and the change marks (computed against the previously shown step, so that a figure showing only some
 * steps marks what changed between the steps it shows).
 */
import { isRef, type Frame, type HeapObject, type Step, type Trace, type Value } from '../trace/format.ts';
import { MAX_ITEMS } from './sizes.ts';
import { sameValue, sanitize, valueKey } from './values.ts';

export type Mark = 'new' | 'changed' | undefined;

export interface RowModel {
  name: string;
  value: Value;
  mark: Mark;
  /**
   * A row standing for the names a `from m import *` bound (and that still hold what it bound): `name` is `m.*`,
   * `value` a primitive whose repr counts them. Dozens of library names would bury the lesson's own variables.
   */
  imported?: { module: string; names: string[] };
}

export interface FrameModel {
  id: number;
  name: string;
  /** Lexical parent frame id, for nested functions. */
  parent?: number;
  state: 'running' | 'active' | 'exited';
  rows: RowModel[];
}

export interface ObjectModel {
  id: number;
  obj: HeapObject;
  /** `freed`: died at this step, drawn once more from its last state. `cycle`: alive only through a reference cycle. */
  status: 'live' | 'freed' | 'cycle';
  mark: Mark;
  /** Indices of the drawn cells (items, entries, attributes) that are new or changed. */
  changedCells: number[];
  /** The object this one was first reached from at this step, or null when reached from a variable. */
  parent: number | null;
  /**
   * A class's members that library code made rather than the program (a dataclass's `__init__`, a NamedTuple's
   * `_make`, its field descriptors): `obj` holds one muted row in their place, and these are their names.
   */
  generated?: string[];
}

export interface StepModel {
  /** Index in trace.steps. */
  index: number;
  /** 1-based position among the shown steps. */
  ordinal: number;
  line: number;
  /** The line that just ran: the line of the trace step before this one. */
  prevLine?: number;
  step: Step;
  frames: FrameModel[];
  /** Live and cycle-only objects in order of reach, then freed ones: what the picture draws. */
  objects: ObjectModel[];
  /**
   * Live objects that only the cells a box leaves out reach (past its first MAX_ITEMS, which it sums up as "… N
   * more"): not drawn, where they would have no arrow into them, but told in the text version, which cuts nothing.
   */
  unseen: ObjectModel[];
  stdout: string;
  /** The exception raised at this step; on the last step of a program that ended by an uncaught one, that one. */
  exception?: { type: string; message: string };
  /** A `return` step that is really the exception leaving the running frame. */
  unwinding?: boolean;
  /** Running calls the tracer left out of a deep stack (Step.omittedFrames), drawn as a gap in the frames column. */
  omitted?: OmittedModel;
}

export interface OmittedModel {
  /** Index in `frames` of the frame the gap follows. */
  afterIndex: number;
  count: number;
  /** The function every left-out call runs, when the trace shows they are all one function (deep recursion). */
  name?: string;
}

export interface ModelOptions {
  hide: string[];
  showExited: boolean;
  /** Draw the members of a class that library code generated, instead of folding them into one row. */
  showGenerated?: boolean;
}

/** `*` matches any run of characters; anything else is literal. */
export function hideMatcher(patterns: string[]): (name: string) => boolean {
  const res = patterns
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map(
      (p) =>
        new RegExp(
          '^' +
            p
              .split('*')
              .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
              .join('.*') +
            '$',
        ),
    );
  return (name) => res.some((r) => r.test(name));
}

/**
 * The values an object points to, in drawing order (the order in which its children are reached): those of the cells
 * its box draws, or with `all` those of the cells it leaves out too.
 */
export function childValues(o: HeapObject, all = false): Value[] {
  const cut = <T>(cells: T[]) => (all ? cells : cells.slice(0, MAX_ITEMS));
  switch (o.kind) {
    case 'list':
    case 'tuple':
    case 'set':
    case 'frozenset':
      return cut(o.items);
    case 'dict':
      return cut(o.entries).flat();
    case 'instance':
    case 'class':
      return cut(o.attrs).map(([, v]) => v);
    case 'generator':
      return o.frame ? o.frame.locals.map(([, v]) => v) : [];
    default:
      return [];
  }
}

/** Cells of an object that differ from its previous state, by the index they are drawn at. */
function changedCells(now: HeapObject, before: HeapObject): number[] | 'all' {
  if (now.kind !== before.kind) return 'all';
  const out: number[] = [];
  switch (now.kind) {
    case 'list':
    case 'tuple':
    case 'set':
    case 'frozenset': {
      const b = (before as typeof now).items;
      now.items.forEach((v, i) => {
        if (!sameValue(v, b[i])) out.push(i);
      });
      if (now.items.length !== b.length && out.length === 0 && now.items.length < b.length) return 'all';
      return out;
    }
    case 'dict': {
      const b = new Map((before as typeof now).entries.map(([k, v]) => [valueKey(k), v]));
      now.entries.forEach(([k, v], i) => {
        if (!sameValue(v, b.get(valueKey(k)))) out.push(i);
      });
      if (out.length === 0 && now.entries.length !== b.size) return 'all';
      return out;
    }
    case 'instance':
    case 'class': {
      const b = new Map((before as typeof now).attrs);
      now.attrs.forEach(([k, v], i) => {
        if (!sameValue(v, b.get(k))) out.push(i);
      });
      if (out.length === 0 && now.attrs.length !== b.size) return 'all';
      return out;
    }
    default:
      return JSON.stringify(now) === JSON.stringify(before) ? [] : 'all';
  }
}

interface Baseline {
  frames: Frame[];
  heap: Record<string, HeapObject>;
}

const STAR_IMPORT = /^\s*from\s+(\.*[\w.]*)\s+import\s*\*/;

/** What each `from m import *` bound: per frame id, each name with its module and the value it got. */
type StarImports = Map<number, Map<string, { module: string; value: Value }>>;

/**
 * Read off the whole trace, whatever steps are shown, so that a name is folded or not the same way in every figure.
 * A step whose line just ran a star import gives it the names that are new in the frame that ran it.
 */
function starImports(trace: Trace): StarImports {
  const out: StarImports = new Map();
  const lines = trace.code.split('\n');
  for (let i = 1; i < trace.steps.length; i++) {
    const before = trace.steps[i - 1]!;
    const m = STAR_IMPORT.exec(lines[before.line - 1] ?? '');
    const ran = before.frames.filter((f) => !f.exited).at(-1);
    const now = ran && trace.steps[i]!.frames.find((f) => f.id === ran.id);
    if (!m || !now) continue;
    const had = new Set(ran.locals.map(([n]) => n));
    const names = out.get(ran.id) ?? new Map();
    for (const [name, value] of now.locals)
      if (!had.has(name) && !names.has(name)) names.set(name, { module: m[1]!, value });
    if (names.size) out.set(ran.id, names);
  }
  return out;
}

/** The rows of a frame with each star import's still-imported names folded into one row, where the first of them was. */
function foldImports(
  rows: RowModel[],
  imports: Map<string, { module: string; value: Value }> | undefined,
  before: Map<string, Value> | undefined,
): RowModel[] {
  if (!imports) return rows;
  const out: RowModel[] = [];
  const groups = new Map<string, RowModel & { imported: { module: string; names: string[] } }>();
  for (const r of rows) {
    const imp = imports.get(r.name);
    if (!imp || !sameValue(imp.value, r.value)) {
      out.push(r);
      continue;
    }
    let g = groups.get(imp.module);
    if (!g) {
      g = {
        name: `${imp.module}.*`,
        value: { type: 'NoneType', repr: '' },
        mark: r.mark,
        imported: { module: imp.module, names: [] },
      };
      groups.set(imp.module, g);
      out.push(g);
    }
    g.imported.names.push(r.name);
  }
  for (const g of groups.values()) {
    const n = g.imported.names.length;
    g.value = { type: 'NoneType', repr: `${n} name${n === 1 ? '' : 's'}` };
    // New with the import; changed when some of its names were rebound since the last shown step.
    const was =
      before &&
      [...before].filter(
        ([k, v]) => imports.get(k)?.module === g.imported.module && sameValue(imports.get(k)!.value, v),
      ).length;
    g.mark = before === undefined ? g.mark : was === 0 ? 'new' : was !== n ? 'changed' : undefined;
  }
  return out;
}

/** What names the program itself defines or assigns anywhere: a member of a class not among them came from a library. */
export interface ProgramNames {
  defs: Set<string>;
  assigned: Set<string>;
}

export function programNames(code: string): ProgramNames {
  const defs = new Set<string>();
  const assigned = new Set<string>();
  for (const m of code.matchAll(/\bdef\s+([\p{L}_][\p{L}\p{N}_]*)/gu)) defs.add(m[1]!);
  // `name = ...`, `name: T = ...`, and `name = lambda`: a class body's own attributes.
  for (const m of code.matchAll(/^\s*([\p{L}_][\p{L}\p{N}_]*)\s*(?::[^=\n]*)?=(?!=)/gmu)) assigned.add(m[1]!);
  return { defs, assigned };
}

/** The function a `staticmethod`, `classmethod` or `property` wraps, by its name, from its repr. */
const WRAPPED = /<function (?:[\w.<>]+\.)?([\p{L}_][\p{L}\p{N}_]*)[ >]/u;

/**
 * Whether a class member came from library code. The tracer says so of functions (and of the staticmethods,
 * classmethods and properties that wrap them) by where their code was compiled; for other members, and in traces
 * without that field, by the program's text: a function it does not define, an attribute it never assigns.
 */
function generatedMember(name: string, v: Value, heap: Record<string, HeapObject>, names: ProgramNames): boolean {
  const o = isRef(v) ? heap[v.ref] : undefined;
  if (o && (o.kind === 'function' || o.kind === 'other') && o.inProgram !== undefined) return !o.inProgram;
  if (names.assigned.has(name)) return false;
  if (!isRef(v)) return true;
  if (!o) return false;
  if (o.kind === 'function') return !names.defs.has(o.name) && o.name !== '<lambda>';
  if (o.kind === 'class') return false;
  const wrapped = o.kind === 'other' ? WRAPPED.exec(o.repr)?.[1] : undefined;
  return wrapped === undefined || !names.defs.has(wrapped);
}

/** The key of the row that stands for a class's generated members (short enough for a key cell: `+ 10 generated`). */
export const generatedLabel = (n: number): string => `+ ${n} generated`;

/** A class with its generated members folded into one last row, and their names; unchanged when it has none. */
function foldGenerated(
  o: HeapObject,
  heap: Record<string, HeapObject>,
  names: ProgramNames,
): { obj: HeapObject; generated?: string[] } {
  if (o.kind !== 'class') return { obj: o };
  const own: [string, Value][] = [];
  const generated: string[] = [];
  for (const [k, v] of o.attrs) {
    if (generatedMember(k, v, heap, names)) generated.push(k);
    else own.push([k, v]);
  }
  if (generated.length === 0) return { obj: o };
  return {
    obj: { ...o, attrs: [...own, [generatedLabel(generated.length), { type: 'NoneType', repr: '' }]] },
    generated,
  };
}

export function buildModels(trace: Trace, shown: number[], opts: ModelOptions): StepModel[] {
  const hidden = hideMatcher(opts.hide);
  const stars = starImports(trace);
  const names = opts.showGenerated ? undefined : programNames(trace.code);
  const out: StepModel[] = [];
  let prevShown: number | undefined;
  let frameNamesById: Map<number, string> | undefined;
  for (const [k, index] of shown.entries()) {
    const step = trace.steps[index]!;
    const baseline: Baseline | undefined =
      prevShown !== undefined ? trace.steps[prevShown] : index > 0 ? trace.steps[index - 1] : undefined;
    const unseenBefore = new Set(out.at(-1)?.unseen.map((o) => o.id));
    const m = buildModel(
      trace,
      index,
      k + 1,
      step,
      baseline,
      prevShown ?? index - 1,
      hidden,
      opts,
      stars,
      names,
      unseenBefore,
    );
    if (step.omittedFrames) {
      const o = omittedModel(step, m.frames, (frameNamesById ??= frameNames(trace)));
      // Calls of a hidden function stay hidden, left out or not.
      if (!(o.name !== undefined && hidden(o.name))) m.omitted = o;
    }
    out.push(m);
    prevShown = index;
  }
  return out;
}

/** Every frame id the trace ever shows, with its function's name. Each call is shown at least at its `call` step. */
function frameNames(trace: Trace): Map<number, string> {
  const out = new Map<number, string>();
  for (const s of trace.steps) for (const f of s.frames) if (!out.has(f.id)) out.set(f.id, f.name);
  return out;
}

/**
 * Where the left-out calls go among the drawn frames, and what they run. The left-out calls started after the
 * frame `after` and before the next running frame kept in the step, so their ids lie between those two; when every
 * call the trace shows in that range runs one function, so do the left-out ones.
 */
function omittedModel(step: Step, frames: FrameModel[], names: Map<number, string>): OmittedModel {
  const { after, count } = step.omittedFrames!;
  const at = step.frames.findIndex((f) => f.id === after);
  const next = step.frames.slice(at + 1).find((f) => !f.exited)?.id;
  // The drawn frame the gap follows: the last one at or before `after` in the step (hiding may have dropped some).
  const before = new Set(step.frames.slice(0, Math.max(0, at) + 1).map((f) => f.id));
  let afterIndex = 0;
  frames.forEach((f, i) => {
    if (before.has(f.id)) afterIndex = i;
  });
  const between = new Set<string>();
  if (next !== undefined) for (let id = after + 1; id < next; id++) if (names.has(id)) between.add(names.get(id)!);
  return between.size === 1 ? { afterIndex, count, name: [...between][0]! } : { afterIndex, count };
}

/** Each shown frame with its shown rows, marked against the baseline, so that the figure draws only what matters. */
function frameModels(
  trace: Trace,
  index: number,
  step: Step,
  baseline: Baseline | undefined,
  hidden: (name: string) => boolean,
  opts: ModelOptions,
  stars: StarImports,
): FrameModel[] {
  const prevFrames = new Map((baseline?.frames ?? []).map((f) => [f.id, new Map(f.locals)]));
  const prevReturns = new Map((baseline?.frames ?? []).map((f) => [f.id, f.returnValue]));
  const lastActive = step.frames.filter((f) => !f.exited).at(-1);
  const frames: FrameModel[] = [];
  for (const f of step.frames) {
    if (f.exited && !opts.showExited) continue;
    if (f.id !== 0 && hidden(f.name)) continue;
    const before = prevFrames.get(f.id);
    let rows: RowModel[] = [];
    for (const [name, value] of f.locals) {
      if (hidden(name)) continue;
      const old = before?.get(name);
      const mark: Mark = !baseline
        ? undefined
        : old === undefined
          ? 'new'
          : sameValue(old, value)
            ? undefined
            : 'changed';
      rows.push({ name, value, mark });
    }
    // Counted over the names the figure shows, as the row counts them.
    const shownBefore = baseline ? new Map([...(before ?? [])].filter(([name]) => !hidden(name))) : undefined;
    rows = foldImports(rows, stars.get(f.id), shownBefore);
    if (f.returnValue !== undefined && !unwinding(trace, index, f.id)) {
      const old = prevReturns.get(f.id);
      rows.push({
        name: 'Return value',
        value: f.returnValue,
        mark: old && sameValue(old, f.returnValue) ? undefined : 'new',
      });
    }
    const state = f.exited ? 'exited' : f === lastActive ? 'running' : 'active';
    frames.push(
      f.parent ? { id: f.id, name: f.name, parent: f.parent, state, rows } : { id: f.id, name: f.name, state, rows },
    );
  }
  return frames;
}

/**
 * The live objects, depth-first from the rows, globals first, so that a structure's parts follow their owner: those
 * the picture draws, reached through drawn cells only, then the `unseen` ones that only cells a box leaves out reach.
 */
function reachableObjects(
  step: Step,
  frames: FrameModel[],
  baseline: Baseline | undefined,
  names: ProgramNames | undefined,
): { drawn: ObjectModel[]; unseen: ObjectModel[] } {
  const seen = new Set<number>();
  const cycle = new Set(step.cycleOnly ?? []);
  const roots: Value[] = [...frames.flatMap((f) => f.rows.map((r) => r.value)), ...[...cycle].map((ref) => ({ ref }))];
  const walk = (from: Value[], all: boolean): ObjectModel[] => {
    const objects: ObjectModel[] = [];
    const visit = (v: Value, parent: number | null) => {
      if (!isRef(v) || seen.has(v.ref) || !step.heap[v.ref]) return;
      seen.add(v.ref);
      const o = objectModel(step, v.ref, baseline, names, parent, cycle.has(v.ref) ? 'cycle' : 'live');
      objects.push(o);
      for (const c of childValues(o.obj, all)) visit(c, v.ref);
    };
    for (const r of from) visit(r, null);
    return objects;
  };
  const drawn = walk(roots, false);
  // The drawn objects are seen already: what is left is what their left-out cells reach.
  return {
    drawn,
    unseen: walk(
      drawn.flatMap((o) => childValues(o.obj, true)),
      true,
    ),
  };
}

/** One reachable object as a step shows it: folded, and marked against the baseline (folded to folded). */
function objectModel(
  step: Step,
  id: number,
  baseline: Baseline | undefined,
  names: ProgramNames | undefined,
  parent: number | null,
  status: 'live' | 'cycle',
): ObjectModel {
  const raw = step.heap[id]!;
  const { obj, generated } = names ? foldGenerated(raw, step.heap, names) : { obj: raw };
  const rawPrev = baseline?.heap[id];
  // Compared folded to folded, so that a changed cell is marked where it is drawn.
  const prev = rawPrev && names ? foldGenerated(rawPrev, baseline!.heap, names).obj : rawPrev;
  const diff = !baseline ? [] : prev ? changedCells(obj, prev) : 'all';
  return {
    id,
    obj,
    status,
    mark: !baseline ? undefined : !prev ? 'new' : diff === 'all' || diff.length > 0 ? 'changed' : undefined,
    changedCells: diff === 'all' ? [] : diff,
    parent,
    ...(generated ? { generated } : {}),
  };
}

/** Objects that died since the last shown step (trace step `after`), each in its last state, to be drawn as freed. */
function freedObjects(trace: Trace, index: number, step: Step, after: number, unseen: Set<number>): ObjectModel[] {
  const objects: ObjectModel[] = [];
  const freedIds = new Set<number>();
  for (let j = Math.max(after + 1, 0); j <= index; j++) {
    for (const id of trace.steps[j]!.freed ?? []) {
      // One the last shown step did not draw is not drawn dying either.
      if (step.heap[id] || freedIds.has(id) || unseen.has(id)) continue;
      const last = j > 0 ? trace.steps[j - 1]!.heap[id] : undefined;
      if (!last) continue;
      freedIds.add(id);
      objects.push({ id, obj: last, status: 'freed', mark: undefined, changedCells: [], parent: null });
    }
  }
  return objects;
}

/** What one step shows: its frames, its live then freed objects, its output and its exception, before any drawing. */
function buildModel(
  trace: Trace,
  index: number,
  ordinal: number,
  step: Step,
  baseline: Baseline | undefined,
  /** Freed objects are collected over the trace steps after this one, up to this step. */
  after: number,
  hidden: (name: string) => boolean,
  opts: ModelOptions,
  stars: StarImports,
  /** The program's own names, to fold what libraries generated; undefined to show everything. */
  names: ProgramNames | undefined,
  /** The objects the last shown step did not draw. */
  unseenBefore: Set<number>,
): StepModel {
  const lastActive = step.frames.filter((f) => !f.exited).at(-1);
  const frames = frameModels(trace, index, step, baseline, hidden, opts, stars);
  const { drawn, unseen } = reachableObjects(step, frames, baseline, names);
  const objects = [...drawn, ...freedObjects(trace, index, step, after, unseenBefore)];
  return {
    index,
    ordinal,
    line: step.line,
    prevLine: index > 0 ? trace.steps[index - 1]!.line : undefined,
    step,
    frames,
    objects,
    unseen,
    stdout: sanitize(trace.stdout.slice(0, step.stdout)),
    exception:
      step.exception ??
      (lastActive && unwinding(trace, index, lastActive.id)
        ? trace.steps[index - 1]!.exception
        : endException(trace, index)),
    ...(lastActive && unwinding(trace, index, lastActive.id) ? { unwinding: true } : {}),
  };
}

function endException(trace: Trace, index: number): StepModel['exception'] {
  if (index !== trace.steps.length - 1 || trace.end.reason !== 'exception' || !trace.end.message) return undefined;
  const m = /^([\w.]+): ?([\s\S]*)$/.exec(trace.end.message);
  return m ? { type: m[1]!, message: m[2]! } : { type: 'Exception', message: trace.end.message };
}

/**
 * A `return` right after an `exception` in the same frame is the exception leaving it, not a return: Python
 * reports None as its value, which is not what the program returned.
 */
function unwinding(trace: Trace, index: number, frameId: number): boolean {
  const step = trace.steps[index]!;
  const prev = trace.steps[index - 1];
  return (
    step.event === 'return' &&
    prev?.event === 'exception' &&
    prev.frames.filter((f) => !f.exited).at(-1)?.id === frameId
  );
}
