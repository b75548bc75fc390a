/**
 * A block's trace is a function of its code and options alone: tracing it again after a block that allocates
 * heavily, in the same interpreter, gives the same bytes. Covers every memtrace block of the demo posts, every
 * program of the shared conformance set (both formats), and the programs whose output follows object addresses
 * in plain CPython (default reprs, sets of instances, id()).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { traceJsonInProcess } from '../../scripts/dev-run.ts';
import type { RunOptions as DevRunOptions } from '../../plugin/src/trace/runtime.ts';
import type { Trace } from '../../plugin/src/trace/format.ts';

const root = join(import.meta.dirname, '../..');
import { CONFORMANCE_DIR as CONFORMANCE } from '../conformance.ts';

/** Leaves the interpreter's memory in a different shape: many objects of many sizes, garbage cycles, classes. */
const HEAVY = `
class Node:
    def __init__(self, v):
        self.v = v
        self.next = self
keep = [[i] * (i % 97) for i in range(4000)]
nodes = [Node(i) for i in range(3000)]
table = {str(i) * 3: (i, float(i)) for i in range(5000)}
funcs = [lambda x, i=i: x + i for i in range(500)]
text = ' '.join(map(repr, nodes[:50]))
del nodes
`;

/** Every ```python memtrace block of the demo posts, with its file and index. */
function postBlocks(): [string, string][] {
  const dir = join(root, 'content/posts');
  const blocks: [string, string][] = [];
  for (const file of readdirSync(dir)
    .filter((f) => /\.mdx?$/.test(f))
    .sort()) {
    const text = readFileSync(join(dir, file), 'utf8');
    let i = 0;
    for (const m of text.matchAll(/^```python memtrace[^\n]*\n([\s\S]*?)^```/gm))
      blocks.push([`${file} #${i++}`, m[1]!]);
  }
  return blocks;
}

function conformancePrograms(): [string, string][] {
  const dir = join(CONFORMANCE, 'programs');
  if (!existsSync(dir)) {
    if (process.env.CI) throw new Error(`the conformance programs are missing: ${dir}`);
    return [];
  }
  return readdirSync(dir)
    .filter((f) => f.endsWith('.py'))
    .sort()
    .map((f) => [f.slice(0, -3), readFileSync(join(dir, f), 'utf8')]);
}

/** The trace of `code`, then its trace again after HEAVY ran in the same interpreter. */
async function aloneAndAfterHeavy(code: string, options: DevRunOptions = {}): Promise<[string, string]> {
  const alone = await traceJsonInProcess(code, options);
  await traceJsonInProcess(HEAVY, options);
  return [alone, await traceJsonInProcess(code, options)];
}

const BLOCKS = postBlocks();
const PROGRAMS = conformancePrograms();

describe('the demo posts', () => {
  test('hold memtrace blocks', () => expect(BLOCKS.length).toBeGreaterThan(10));
  test.each(BLOCKS)('%s traces the same after a heavy block', async (_, code) => {
    const [alone, after] = await aloneAndAfterHeavy(code);
    expect(after).toBe(alone);
  });
});

describe.skipIf(PROGRAMS.length === 0)('the conformance programs', () => {
  test.each(PROGRAMS)(
    '%s traces the same after a heavy block',
    async (_, code) => {
      const [alone, after] = await aloneAndAfterHeavy(code);
      expect(after).toBe(alone);
      const [ptAlone, ptAfter] = await aloneAndAfterHeavy(code, { format: 'pytutor' });
      expect(ptAfter).toBe(ptAlone);
    },
    120_000,
  );
});

const POINT = `class Point:
    def __init__(self, x):
        self.x = x

p = Point(1)
q = Point(2)
print(p)
print(q)
print(id(p) == id(q), hex(id(p)))
s = {Point(i) for i in range(6)}
print([e.x for e in s])
def area(r):
    return 3 * r * r
print(area)
`;

describe('what follows addresses in CPython is stable', () => {
  test('default reprs, id() and sets of instances give the same bytes after a heavy block, in both formats', async () => {
    for (const format of ['memtrace', 'pytutor'] as const) {
      const [alone, after] = await aloneAndAfterHeavy(POINT, { format });
      expect(after).toBe(alone);
    }
  });

  test('a default repr shows the number id() gives, and hex(id()) matches it', async () => {
    const trace = JSON.parse(await traceJsonInProcess(POINT)) as Trace;
    const lines = trace.stdout.split('\n');
    const [, first] = /at (0x[0-9a-f]+)>$/.exec(lines[0]!)!;
    const [, second] = /at (0x[0-9a-f]+)>$/.exec(lines[1]!)!;
    expect(first).not.toBe(second);
    expect(lines[2]).toBe(`False ${first}`);
    expect(lines[4]).toMatch(/^<function area at 0x[0-9a-f]+>$/);
  });

  test('the numbers stand apart from real addresses of the 32-bit heap and are the same in every run', async () => {
    const first = JSON.parse(await traceJsonInProcess('print(id(object()))\n')) as Trace;
    await traceJsonInProcess(HEAVY);
    const again = JSON.parse(await traceJsonInProcess('print(id(object()))\n')) as Trace;
    expect(Number(first.stdout.trim())).toBeGreaterThan(2 ** 32);
    expect(again.stdout).toBe(first.stdout);
  });

  test('the diagram shows a class as written: no __repr__ or __hash__ that the tracer added', async () => {
    const trace = JSON.parse(await traceJsonInProcess(POINT)) as Trace;
    const last = trace.steps.at(-1)!;
    const point = Object.values(last.heap).find((o) => o.kind === 'class' && o.name === 'Point');
    expect(point && 'attrs' in point ? point.attrs.map(([k]) => k) : undefined).toEqual(['__init__']);
    const pytutor = JSON.parse(await traceJsonInProcess(POINT, { format: 'pytutor' })) as {
      trace: { heap: Record<string, unknown[]> }[];
    };
    const heap = pytutor.trace.at(-1)!.heap;
    const cls = Object.values(heap).find((e) => e[0] === 'CLASS' && e[1] === 'Point')!;
    expect(JSON.stringify(cls)).not.toMatch(/__repr__|__hash__/);
  });

  test('decorators still decide: a dataclass keeps its own repr, and unhashable classes stay unhashable', async () => {
    const code = `from dataclasses import dataclass
@dataclass
class D:
    a: int
print(D(1))
class E:
    def __eq__(self, other):
        return True
try:
    hash(E())
except TypeError as e:
    print('unhashable')
`;
    const trace = JSON.parse(await traceJsonInProcess(code)) as Trace;
    expect(trace.stdout).toBe('D(a=1)\nunhashable\n');
  });
});
