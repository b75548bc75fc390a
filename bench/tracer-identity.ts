/**
 * Byte-identity check for tracer changes that must not change any trace (a faster tracer, say):
 * `npx node bench/tracer-identity.ts [REV]` traces every program the project holds (the conformance programs, the
 * render fixtures, the demo blocks, and a few programs for the tracer's harder cases below), in both formats, with
 * the tracer of git revision REV (default HEAD) and with the working tree's, each in its own Pyodide in this
 * process, and lists every program whose JSON differs (a native trace as the runtime gives it: expanded from the
 * tracer's delta). Exit status 1 when one does.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { parseNotes } from '../plugin/src/notes/index.ts';
import type { TraceOptions } from '../plugin/src/trace/format.ts';
import { expandedJson } from '../plugin/src/trace/delta.ts';
import { tracerOptions } from '../plugin/src/trace/runtime.ts';
import { TRACER_MODULES, tracerSource } from '../plugin/src/trace/tracer-modules.ts';
import { CONFORMANCE_DIR } from '../tests/conformance.ts';
import { demoBlocks } from './lib.ts';

const root = resolve(import.meta.dirname, '..');

/** Programs for what the project's own programs exercise little: generators, cycles, gc, deep recursion, limits. */
const EDGE_CASES: Record<string, string> = {
  generators: 'def gen(n):\n    for i in range(n):\n        yield i * i\ng = gen(3)\nprint(next(g))\nprint(list(g))\n',
  cycles:
    'import gc\nclass N:\n    def __init__(self):\n        self.other = None\na, b = N(), N()\na.other, b.other = b, a\n' +
    'del a, b\nx = [1]\nx.append(x)\ndel x\ngc.collect()\ny = 1\n',
  recursion: 'def f(n):\n    return f(n + 1)\ntry:\n    f(0)\nexcept RecursionError as e:\n    print(e)\n',
  runaway: 'i = 0\nwhile True:\n    i += 1\n    print(i)\n',
  closures:
    'def make(k):\n    def add(x):\n        return x + k\n    return add\nadds = [make(i) for i in range(3)]\n' +
    'print([a(1) for a in adds])\ndel adds[0]\nz = 0\n',
  exceptions:
    'def f():\n    try:\n        1 / 0\n    finally:\n        print("f")\ntry:\n    f()\nexcept ZeroDivisionError:\n    pass\n' +
    'd = {"a": [1, 2]}\nd["b"] = d["a"]\nraise ValueError("end")\n',
  classes:
    'from dataclasses import dataclass\n@dataclass\nclass P:\n    x: int\n    y: int = 0\nclass Q(P):\n    __slots__ = ()\n' +
    'p = P(1)\nq = Q(2, 3)\ns = {p.x, q.y}\nprint(p, q, s)\n',
  input: 'name = input("who? ")\nprint("hi", name)\n',
};

interface Program {
  name: string;
  code: string;
  options: TraceOptions;
}

function programs(): Program[] {
  const out: Program[] = [];
  const conf = join(CONFORMANCE_DIR, 'programs');
  for (const f of readdirSync(conf)
    .filter((f) => f.endsWith('.py'))
    .sort())
    out.push({ name: `conformance/${f}`, code: readFileSync(join(conf, f), 'utf8'), options: {} });
  const fixtures = join(root, 'tests/fixtures/render');
  for (const c of readdirSync(fixtures).sort()) {
    const dir = join(fixtures, c);
    let options: TraceOptions = {};
    try {
      options = (JSON.parse(readFileSync(join(dir, 'options.json'), 'utf8')) as { trace?: TraceOptions }).trace ?? {};
    } catch {
      // no options.json
    }
    const code = parseNotes(readFileSync(join(dir, 'program.py'), 'utf8')).code;
    out.push({ name: `fixture/${c}`, code, options });
  }
  for (const b of demoBlocks(root))
    out.push({ name: `demo/${b.name}`, code: b.code, options: { maxSteps: b.maxSteps, stdin: b.stdin } });
  for (const [name, code] of Object.entries(EDGE_CASES))
    out.push({ name: `edge/${name}`, code, options: name === 'input' ? { stdin: 'Ada\n' } : {} });
  return out;
}

/** A Pyodide with `source` loaded; returns its run_trace. */
async function tracerIn(source: string): Promise<(code: string, options: string) => string> {
  const require = createRequire(import.meta.url);
  const { loadPyodide } = await import('pyodide');
  const py = await loadPyodide({
    indexURL: dirname(require.resolve('pyodide/package.json')) + '/',
    env: { PYTHONHASHSEED: '0' },
  });
  const ns = py.globals.get('dict')();
  py.runPython(source, { globals: ns });
  const fn = ns.get('run_trace');
  return (code, options) => fn(code, options) as string;
}

const rev = process.argv[2] ?? 'HEAD';
const before = TRACER_MODULES.map((m) =>
  execFileSync('git', ['show', `${rev}:plugin/src/trace/python/${m}`], { cwd: root, encoding: 'utf8' }),
).join('\n\n');
const [old, cur] = [await tracerIn(before), await tracerIn(tracerSource())];
let differ = 0;
let total = 0;
for (const p of programs()) {
  for (const format of ['memtrace', 'pytutor'] as const) {
    // A deadline far off: on a loaded machine a run could otherwise end by time in one tracer and not the other.
    const options = JSON.stringify({ ...tracerOptions(p.options), timeoutMs: 600_000, format });
    // Compared as the runtime gives them: a native delta expanded (a tracer from before the delta writes steps).
    const [a, b] = [expandedJson(old(p.code, options)), expandedJson(cur(p.code, options))];
    total++;
    if (a !== b) {
      differ++;
      let i = 0;
      while (i < a.length && a[i] === b[i]) i++;
      console.log(
        `DIFF ${p.name} (${format}) at char ${i}:\n  ${rev}: ${a.slice(i - 80, i + 80)}\n  now: ${b.slice(i - 80, i + 80)}`,
      );
    }
  }
}
console.log(`${total - differ}/${total} traces byte-identical to ${rev}'s tracer`);
process.exit(differ ? 1 : 0);
