/**
 * The memtrace trace format, version 2.
 *
 * A trace is what the tracer records while a program runs in Pyodide: one {@link Step} per traced event, each a
 * complete snapshot (frames and heap), so that every stage after the tracer is a pure function of one step (plus
 * the step before it, for change marks). The format is JSON and byte-stable: the same program gives the same bytes
 * on every run and machine.
 *
 * Documented for users in the site's docs (`/docs/trace-format/`). Bump {@link TRACE_FORMAT_VERSION} on any
 * change that a consumer could notice.
 */

/**
 * Version 2 added the author's notes: {@link Step.note}, and {@link Trace.code} is the program with its `#:` notes
 * taken out (the lines that `Step.line` counts).
 */
export const TRACE_FORMAT_VERSION = 2;

/** A Python value that is drawn inline (never an arrow). `repr` is exactly Python's `repr()`, so ints keep every digit. */
export interface Primitive {
  /** Python type name. */
  type: 'int' | 'float' | 'str' | 'bool' | 'NoneType' | 'complex' | 'bytes';
  /** Python's `repr()` of the value, e.g. `'10'`, `'3.5'`, `"'Test'"`, `'True'`, `'None'`, `'inf'`, `"b'ab'"`. */
  repr: string;
  /** For a `str` whose repr was cut at the tracer's string cap: the full length in characters. */
  fullLength?: number;
}

/** A reference to a heap object, by its heap id. */
export interface Ref {
  ref: number;
}

export type Value = Primitive | Ref;

export const isRef = (v: Value): v is Ref => (v as Ref).ref !== undefined;

interface HeapBase {
  /** Python type name of the object (`'list'`, `'MyObject'`, `'collections.deque'`). */
  type: string;
  /** Number of items (or attributes) left out because the container cap was hit. */
  more?: number;
}

/** `list`, `tuple`, `set`, `frozenset`: items in iteration order (sets in Python's own order, which is deterministic under the fixed hash seed). */
export interface SequenceObject extends HeapBase {
  kind: 'list' | 'tuple' | 'set' | 'frozenset';
  items: Value[];
}

export interface DictObject extends HeapBase {
  kind: 'dict';
  entries: [Value, Value][];
}

export interface InstanceObject extends HeapBase {
  kind: 'instance';
  /** Class name, as Python Tutor shows it: `"MyObject instance"` is drawn from this. */
  className: string;
  /** Attributes in `__dict__` order (or `__slots__`). */
  attrs: [string, Value][];
}

export interface ClassObject extends HeapBase {
  kind: 'class';
  name: string;
  /** Names of the direct base classes (without `object`). */
  bases: string[];
  /** Methods and class attributes, in definition order; dunder bookkeeping (`__module__`, `__dict__`, ...) left out. */
  attrs: [string, Value][];
}

export interface FunctionObject extends HeapBase {
  kind: 'function';
  /** `f`, or `<lambda>`. */
  name: string;
  /** Parameter list as written, without annotations: `a, x=2, *args, **kw`. */
  params: string;
  /**
   * Whether the function's code was compiled from the program (`def` or `lambda` in it), as opposed to library code
   * (a dataclass's generated `__init__`, a NamedTuple's `_make`). Absent in traces written before it was added.
   */
  inProgram?: boolean;
  /** Frame id of the frame this function closes over (its lexical parent), when it is not the global frame. */
  parentFrame?: number;
}

export interface ModuleObject extends HeapBase {
  kind: 'module';
  name: string;
}

export interface GeneratorObject extends HeapBase {
  kind: 'generator';
  /** The generator function's name. */
  name: string;
  state: 'created' | 'suspended' | 'running' | 'closed';
  /** The suspended frame: its line and locals (when created or suspended). */
  frame?: { line: number; locals: [string, Value][] };
}

/** Anything else: its type name and a short repr. */
export interface OtherObject extends HeapBase {
  kind: 'other';
  repr: string;
  /** For a `staticmethod`, `classmethod` or `property` that wraps a Python function: whether that function is the program's. */
  inProgram?: boolean;
}

export type HeapObject =
  | SequenceObject
  | DictObject
  | InstanceObject
  | ClassObject
  | FunctionObject
  | ModuleObject
  | GeneratorObject
  | OtherObject;

export interface Frame {
  /** Stable id: 0 is the global frame; calls are numbered 1, 2, ... in the order they start. Never reused. */
  id: number;
  /** Function name; `'<module>'` for the global frame. */
  name: string;
  /** Local variables, in order of first appearance. */
  locals: [string, Value][];
  /** The value being returned, at a `return` step of this frame. */
  returnValue?: Value;
  /** An exited frame, kept because a closure still refers to it. */
  exited?: boolean;
  /** Frame id of the lexical parent (for nested functions), when it is not the global frame. */
  parent?: number;
  /** Line this frame is at. */
  line: number;
}

export type StepEvent = 'line' | 'call' | 'return' | 'exception' | 'uncaught';

export interface Step {
  /** Line about to run (event `line`), being entered (`call`), returning (`return`) or raising. 1-based, in the program. */
  line: number;
  event: StepEvent;
  /**
   * Global frame first, then active calls from outermost to innermost (the last active one is running), then
   * exited frames that closures still reference (`exited: true`).
   */
  frames: Frame[];
  /** Heap id → object: every object reachable from the frames at this step. Keys in ascending id order. */
  heap: Record<string, HeapObject>;
  /** Length of {@link Trace.stdout} printed so far. */
  stdout: number;
  /** Exception being raised or propagating at this step. */
  exception?: { type: string; message: string };
  /** What changed since the previous step. Variables are `"<frameId>:<name>"`. */
  changed?: { vars: string[]; objects: number[] };
  /** Objects that became unreachable at this step (their last state is in the previous step's heap). */
  freed?: number[];
  /** Objects that are unreachable from any frame but alive, held only by a reference cycle (until `gc` frees them). Their state is in `heap`. */
  cycleOnly?: number[];
  /**
   * Active call frames left out of `frames` because there were more than {@link TraceOptions.maxFrames}: `count`
   * frames that come right after the frame with id `after` (outermost calls are kept, then the innermost ones).
   */
  omittedFrames?: { after: number; count: number };
  /**
   * The author's note for this step (since version 2): one paragraph of inline Markdown (code spans, emphasis,
   * strong, links), written as a `#:` comment in the program. Absent on a step the author wrote no note for.
   */
  note?: string;
}

export type EndReason =
  /** The program ran to its end. */
  | 'completed'
  /** An uncaught exception ended the program; it is in the last step. */
  | 'exception'
  /** `sys.exit()`. */
  | 'exit'
  /** The step cap was hit; every step before it is kept. */
  | 'step-limit'
  /** The wall-clock timeout was hit; the steps recorded until then are kept when possible. */
  | 'timeout'
  /** The program exhausted memory. */
  | 'memory';

export interface Trace {
  format: 'memtrace';
  version: typeof TRACE_FORMAT_VERSION;
  /** Python version the trace was recorded with, e.g. `'3.14.2'`. */
  python: string;
  /** The program that ran; its `#:` notes are taken out (since version 2), and `Step.line` counts its lines. */
  code: string;
  steps: Step[];
  /** Everything the program printed (capped: see `stdoutTruncated`). */
  stdout: string;
  /** Number of characters of output dropped by the output cap. */
  stdoutTruncated?: number;
  end: { reason: EndReason; message?: string };
}

/** Options of one trace. */
export interface TraceOptions {
  /** Stop after this many steps, keeping them all (default 1000). */
  maxSteps?: number;
  /** Stop after this much wall-clock time in ms (default 10000). */
  timeoutMs?: number;
  /** Text that `input()` reads, line by line. Without it, `input()` raises a clear error. */
  stdin?: string;
  /** Cap on recorded output, in characters (default 10000). */
  maxOutputChars?: number;
  /** Cap on recorded items per container (default 100). */
  maxContainerItems?: number;
  /** Cap on active call frames per step (default 40): deep recursion keeps the outermost quarter and the innermost calls. */
  maxFrames?: number;
}

/** A program that could not be traced at all (as opposed to one that raised: that is part of the trace). */
export interface TraceFailure {
  kind: 'syntax' | 'timeout' | 'memory' | 'runtime' | 'options';
  message: string;
  /** 1-based line and column in the program, for syntax errors. */
  line?: number;
  column?: number;
}

/** What tracing a program gives: its {@link Trace}, or a {@link TraceFailure}. Tell them apart with {@link isTraceFailure}. */
export type TraceResult = Trace | TraceFailure;

/** The one test for a failed trace: a {@link Trace} always says its `format`, a {@link TraceFailure} never does. */
export const isTraceFailure = (result: TraceResult): result is TraceFailure => !('format' in result);
