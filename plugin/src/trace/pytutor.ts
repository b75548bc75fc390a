/**
 * Python Tutor's execution-trace format, as the tracer emits it with `format: 'pytutor'` (python/pytutor.py,
 * PytutorEncoder): the JSON that Python Tutor's frontend reads, with its default display options (no cumulative
 * mode, no heap primitives). Differences from Python Tutor's own tracer are listed in README.md.
 */

/** An encoded value: a JSON primitive, or a tagged list. */
export type PytutorValue =
  | number
  | string
  | boolean
  | null
  | ['REF', number]
  | ['SPECIAL_FLOAT', string]
  | ['IMPORTED_FAUX_PRIMITIVE', string];

/**
 * A heap object: `['LIST', ...items]`, `['TUPLE', ...]`, `['SET', ...]`, `['DICT', [k, v], ...]`,
 * `['INSTANCE', className, [attr, value], ...]`, `['INSTANCE_PPRINT', className, str(obj), [attr, value], ...]`,
 * `['CLASS', name, [baseNames], [attr, value], ...]`, `['FUNCTION', 'f(a, b)', parentFrameId | null, defaults?]`,
 * or `[typeName, str(obj)]`.
 */
export type PytutorHeapObject = [string, ...unknown[]];

export interface PytutorFrame {
  func_name: string;
  frame_id: number;
  is_highlighted: boolean;
  is_zombie: boolean;
  is_parent: boolean;
  parent_frame_id_list: number[];
  unique_hash: string;
  ordered_varnames: string[];
  encoded_locals: Record<string, PytutorValue>;
}

export type PytutorEvent =
  | 'step_line'
  | 'call'
  | 'return'
  | 'exception'
  | 'uncaught_exception'
  | 'instruction_limit_reached';

export interface PytutorStep {
  event: PytutorEvent;
  line?: number;
  func_name?: string;
  globals?: Record<string, PytutorValue>;
  ordered_globals?: string[];
  stack_to_render?: PytutorFrame[];
  heap?: Record<string, PytutorHeapObject>;
  /** Everything printed so far. */
  stdout?: string;
  exception_msg?: string;
  /** Column of a syntax error. */
  offset?: number;
}

export interface PytutorTrace {
  code: string;
  trace: PytutorStep[];
}

export const isPytutorTrace = (value: unknown): value is PytutorTrace =>
  typeof value === 'object' &&
  value !== null &&
  Array.isArray((value as PytutorTrace).trace) &&
  typeof (value as PytutorTrace).code === 'string';
