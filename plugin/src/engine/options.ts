/**
 * Fence options: parsing the meta string of a ```` ```python memtrace ```` block, validating it, and merging it with
 * the defaults a site sets. The reference is the docs page `/docs/options/`.
 */

/** Options of one block, as a site sets them for all blocks (camelCase) or an author per block (kebab-case in the fence). */
export interface BlockOptions {
  /** Figure caption and SVG title. */
  title?: string;
  /**
   * Which steps to show: `'all'`, `'breakpoints'` (steps on lines ending in a `# break` comment), or a list of 1-based
   * step numbers and ranges such as `'3-7'`, `'1,4,9-12'`, `'5-'`. Default: `'breakpoints'` when the code has a
   * `# break` comment, else `'all'`.
   */
  steps?: string;
  /** The step shown first: `'first'`, `'last'` or a 1-based number among the shown steps. Default `'first'`. */
  start?: 'first' | 'last' | number;
  /** Variables or frames (function names) to hide, by name or glob (`_*`). */
  hide?: string[];
  /** Draw primitives inside variable cells (`'inline'`, default) or as heap objects (`'heap'`). */
  primitives?: 'inline' | 'heap';
  /** Show exited frames that closures still reference. Default true. */
  exitedFrames?: boolean;
  /** Draw the class members that library code generated (a dataclass's `__init__`, a NamedTuple's `_make`). Default false: one row counts them. */
  generatedMembers?: boolean;
  /** Step cap. Default 1000. */
  maxSteps?: number;
  /** Wall-clock limit in milliseconds. Default 10000. */
  timeout?: number;
  /** Text that `input()` reads. */
  stdin?: string;
  /** The program's `#:` notes: taken out of the code shown (`'strip'`, default) or kept in it as ordinary comments (`'keep'`). */
  notes?: 'strip' | 'keep';
}

/** Thrown for a malformed fence; `column` is the 0-based offset in the meta string. */
export class OptionError extends Error {
  readonly offset: number | undefined;
  constructor(message: string, offset?: number) {
    super(message);
    this.name = 'OptionError';
    this.offset = offset;
  }
}

interface OptionSpec {
  key: keyof BlockOptions;
  /** How the value is written, for error messages. */
  expects: string;
  parse(raw: string | true): unknown;
}

const integer = (min: number, max: number) => (raw: string | true) => {
  if (raw === true || !/^\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  return n >= min && n <= max ? n : undefined;
};

const text = (raw: string | true) => (raw === true ? undefined : raw);

const boolean = (raw: string | true) => (raw === true || raw === 'true' ? true : raw === 'false' ? false : undefined);

const STEP_SPEC = /^(all|breakpoints|\d+(-\d*)?(,\d+(-\d*)?)*)$/;

/** Fence keys (kebab-case) and their parsers. */
const SPECS: Record<string, OptionSpec> = {
  title: { key: 'title', expects: 'text', parse: text },
  steps: {
    key: 'steps',
    expects: '`all`, `breakpoints` or step numbers and ranges like `3-7` or `1,4,9-12`',
    parse: (raw) => (raw !== true && STEP_SPEC.test(raw.replace(/\s+/g, '')) ? raw.replace(/\s+/g, '') : undefined),
  },
  start: {
    key: 'start',
    expects: '`first`, `last` or a step number',
    parse: (raw) => (raw === 'first' || raw === 'last' ? raw : integer(1, 1e6)(raw)),
  },
  hide: {
    key: 'hide',
    expects: 'comma-separated names or globs',
    parse: (raw) => {
      if (raw === true) return undefined;
      const names = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      return names.length > 0 && names.every((n) => /^[\p{L}_*?][\p{L}\p{N}_*?]*$/u.test(n)) ? names : undefined;
    },
  },
  primitives: {
    key: 'primitives',
    expects: '`inline` or `heap`',
    parse: (raw) => (raw === 'inline' || raw === 'heap' ? raw : undefined),
  },
  'exited-frames': { key: 'exitedFrames', expects: '`true` or `false`', parse: boolean },
  'generated-members': { key: 'generatedMembers', expects: '`true` or `false`', parse: boolean },
  'max-steps': { key: 'maxSteps', expects: 'an integer from 1 to 100000', parse: integer(1, 100_000) },
  timeout: { key: 'timeout', expects: 'milliseconds, an integer from 1 to 600000', parse: integer(1, 600_000) },
  stdin: { key: 'stdin', expects: 'text', parse: text },
  notes: {
    key: 'notes',
    expects: '`strip` or `keep`',
    parse: (raw) => (raw === 'strip' || raw === 'keep' ? raw : undefined),
  },
};

/** The fence options, as written in a fence (kebab-case). */
export const OPTION_NAMES = Object.keys(SPECS);

const validList = () => OPTION_NAMES.map((k) => `\`${k}\``).join(', ');

/** Whether a fenced code block is a memtrace block: language `python` or `py`, and the word `memtrace` in its meta. */
export function isMemtraceBlock(lang: string | null | undefined, meta: string | null | undefined): boolean {
  return (lang === 'python' || lang === 'py') && typeof meta === 'string' && /(^|\s)memtrace(\s|$)/.test(meta);
}

interface Token {
  key: string;
  value: string | true;
  offset: number;
}

function tokenize(meta: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < meta.length) {
    if (/\s/.test(meta[i]!)) {
      i++;
      continue;
    }
    const start = i;
    while (i < meta.length && !/[\s=]/.test(meta[i]!)) i++;
    const key = meta.slice(start, i);
    if (meta[i] !== '=') {
      tokens.push({ key, value: true, offset: start });
      continue;
    }
    i++;
    let value = '';
    const quote = meta[i];
    if (quote === '"' || quote === "'") {
      i++;
      for (;;) {
        if (i >= meta.length) throw new OptionError(`Unterminated quoted value for option \`${key}\``, start);
        const c = meta[i]!;
        if (c === quote) break;
        if (c === '\\' && i + 1 < meta.length) {
          const next = meta[i + 1]!;
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      i++;
    } else {
      const vStart = i;
      while (i < meta.length && !/\s/.test(meta[i]!)) i++;
      value = meta.slice(vStart, i);
    }
    tokens.push({ key, value, offset: start });
  }
  return tokens;
}

/** Parses a fence's meta string (`memtrace title="x" start=last`) into block options. Throws {@link OptionError}. */
export function parseMeta(meta: string): BlockOptions {
  const options: Record<string, unknown> = {};
  for (const { key, value, offset } of tokenize(meta)) {
    if (key === 'memtrace') continue;
    const spec = SPECS[key];
    if (!spec) {
      throw new OptionError(`Unknown memtrace option \`${key}\`. Valid options: ${validList()}.`, offset);
    }
    const parsed = spec.parse(value);
    if (parsed === undefined) {
      const shown = value === true ? '(no value)' : `\`${value}\``;
      throw new OptionError(`Invalid value ${shown} for memtrace option \`${key}\`: expected ${spec.expects}.`, offset);
    }
    options[spec.key] = parsed;
  }
  return options as BlockOptions;
}

const CAMEL_KEYS = new Map(Object.entries(SPECS).map(([fence, spec]) => [spec.key as string, fence]));

/** Validates defaults given in JS (camelCase keys), so a typo in a site's config fails as clearly as one in a fence. */
export function validateDefaults(defaults: Record<string, unknown> | undefined): BlockOptions {
  if (!defaults) return {};
  for (const [key, value] of Object.entries(defaults)) {
    const fence = CAMEL_KEYS.get(key);
    if (!fence) {
      const valid = [...CAMEL_KEYS.keys()].map((k) => `\`${k}\``).join(', ');
      throw new OptionError(`Unknown memtrace default \`${key}\`. Valid options: ${valid}.`);
    }
    if (value === undefined) continue;
    const raw = Array.isArray(value) ? value.join(',') : value === true ? true : String(value);
    if (SPECS[fence]!.parse(raw) === undefined) {
      throw new OptionError(
        `Invalid memtrace default \`${key}\`: ${JSON.stringify(value)}; expected ${SPECS[fence]!.expects}.`,
      );
    }
  }
  return defaults as BlockOptions;
}

/** Resolves which 1-based step numbers a `steps` option selects, as 0-based indices into the trace. */
export function selectSteps(spec: string, stepLines: number[], breakLines: Set<number>): number[] {
  const count = stepLines.length;
  if (spec === 'all') return stepLines.map((_, i) => i);
  if (spec === 'breakpoints') {
    const chosen = stepLines.flatMap((line, i) => (breakLines.has(line) ? [i] : []));
    return chosen.length > 0 ? chosen : stepLines.map((_, i) => i);
  }
  const chosen = new Set<number>();
  for (const part of spec.split(',')) {
    const [a, b] = part.split('-');
    const from = Number(a);
    const to = b === undefined ? from : b === '' ? count : Number(b);
    for (let n = from; n <= Math.min(to, count); n++) if (n >= 1) chosen.add(n - 1);
  }
  return [...chosen].sort((x, y) => x - y);
}

/** Lines (1-based) that end with a `# break` comment, Python Tutor's breakpoint marker. */
export function breakpointLines(code: string): Set<number> {
  const lines = new Set<number>();
  code.split('\n').forEach((text, i) => {
    if (/#\s*break\s*$/.test(text)) lines.add(i + 1);
  });
  return lines;
}

/** Names listed in `#pythontutor_hide: a, b` (or `# memtrace-hide: a, b`) comments. */
export function hiddenByComment(code: string): string[] {
  const names: string[] = [];
  for (const m of code.matchAll(/#\s*(?:pythontutor_hide|memtrace-hide)\s*:\s*(.+)$/gm)) {
    names.push(
      ...m[1]!
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
  }
  return names;
}
