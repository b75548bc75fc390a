/**
 * `npm run bench -- --scale`: memtrace on a big site. Generates a default Astro site with one page per memtrace block
 * (`--blocks N`, default 230) from programs the project holds — the Python Tutor conformance set, the demo posts'
 * blocks, the render fixtures — and a few loops that run until the step cap. Builds it cold (empty cache and no
 * Pyodide snapshot, as on a fresh CI runner; and again with the snapshot that build made), warm (every block from the
 * cache), without memtrace, and cold with every figure drawing its first step only (the part of a cold build that
 * drawing cannot take away: Pyodide, tracing, pages), taking turns, and reports the warm ratio, what memtrace adds
 * per block cold, the largest page (bytes and DOM nodes) and the total HTML. Medians over `--runs` (default 3).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fromHtml } from 'hast-util-from-html';
import type { Nodes } from 'hast';
import { isTraceFailure } from '../plugin/src/trace/format.ts';
import { TraceRuntime } from '../plugin/src/trace/runtime.ts';
import { parseMeta } from '../plugin/src/engine/options.ts';
import { childCpuMs, gzipBytes, median, type Row } from './lib.ts';

const root = resolve(import.meta.dirname, '..');

/** One memtrace block of the generated site: its program and the words after ```` ```python memtrace````. */
interface Block {
  name: string;
  code: string;
  meta: string;
}

/** Loops that never end on their own: each runs into the 1000-step cap, several of them printing on every turn. */
const RUNAWAYS: string[] = [
  'n = 0\nwhile True:\n    n += 1\n',
  'i = 0\nwhile True:\n    print("tick", i)\n    i += 1\n',
  'xs = []\nwhile True:\n    xs.append(len(xs))\n    if len(xs) > 50:\n        xs = []\n',
  'def count(n):\n    while True:\n        yield n\n        n += 1\n\nfor k in count(0):\n    print(k)\n',
  'a, b = 0, 1\nwhile True:\n    print(a)\n    a, b = b, a + b\n',
  'd = {}\nk = 0\nwhile True:\n    d[k % 20] = [k] * 3\n    k += 1\n',
  'def walk(node):\n    return node["next"]\n\nring = {"v": 0}\nring["next"] = ring\nnode = ring\nwhile True:\n    node = walk(node)\n    print(node["v"])\n',
];

function readPrograms(dir: string, pick: (entry: string) => string | undefined): Block[] {
  const blocks: Block[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const file = pick(entry);
    if (file) blocks.push({ name: entry.replace(/\.py$/, ''), code: readFileSync(join(dir, file), 'utf8'), meta: '' });
  }
  return blocks;
}

/** The memtrace blocks of the demo posts, with their options (stdin, max-steps, start …). */
function demoBlocks(): Block[] {
  const blocks: Block[] = [];
  const dir = join(root, 'content/posts');
  for (const file of readdirSync(dir)
    .filter((f) => /\.mdx?$/.test(f))
    .sort()) {
    let n = 0;
    for (const m of readFileSync(join(dir, file), 'utf8').matchAll(
      /^```(?:python|py) ([^\n]*\bmemtrace\b[^\n]*)\n([\s\S]*?)^```/gm,
    )) {
      blocks.push({
        name: `${file.replace(/\.mdx?$/, '')}-${++n}`,
        code: m[2]!,
        meta: m[1]!.replace(/^memtrace\s*|\s*\bmemtrace\b\s*/, ' ').trim(),
      });
    }
  }
  return blocks;
}

/** Every program the project holds that traces to a figure, then the runaway loops. */
async function programPool(): Promise<{ pool: Block[]; dropped: string[] }> {
  const candidates = [
    ...readPrograms(join(root, 'tests/fixtures/conformance/programs'), (e) => (e.endsWith('.py') ? e : undefined)),
    ...demoBlocks(),
    ...readPrograms(join(root, 'tests/fixtures/render'), (e) => `${e}/program.py`),
  ];
  // A block that cannot be traced fails the build, as it should: such programs are left out of the site.
  const runtime = new TraceRuntime();
  const pool: Block[] = [];
  const dropped: string[] = [];
  try {
    for (const b of candidates) {
      const opts = parseMeta(b.meta);
      const r = await runtime.trace(b.code, { maxSteps: opts.maxSteps, stdin: opts.stdin });
      if (isTraceFailure(r)) dropped.push(b.name);
      else pool.push(b);
    }
  } finally {
    await runtime.close();
  }
  return { pool, dropped };
}

/**
 * N blocks: the runaway loops (one per 33 blocks, at least one), then the pool in turn. A program used again gets
 * a comment line of its own, so that each block is a distinct cache entry, as on a real site.
 */
function pickBlocks(pool: Block[], n: number): Block[] {
  const runaways = RUNAWAYS.slice(0, Math.max(1, Math.min(RUNAWAYS.length, Math.round(n / 33))));
  const blocks: Block[] = runaways.map((code, i) => ({ name: `runaway-${i + 1}`, code, meta: '' }));
  for (let i = 0; blocks.length < n; i++) {
    const b = pool[i % pool.length]!;
    const round = Math.floor(i / pool.length);
    blocks.push(round === 0 ? b : { ...b, name: `${b.name}-${round + 1}`, code: `# copy ${round + 1}\n${b.code}` });
  }
  return blocks;
}

const LAYOUT = `---
const { frontmatter } = Astro.props;
---
<html lang="en">
  <head><meta charset="utf-8" /><meta name="viewport" content="width=device-width" /><title>{frontmatter.title}</title></head>
  <body><main><h1>{frontmatter.title}</h1><slot /></main></body>
</html>
`;

const CONFIG = `// @ts-check
import { defineConfig } from 'astro/config';
import memtrace from 'memtrace';

export default defineConfig({
  outDir: process.env.SCALE_OUT_DIR,
  cacheDir: process.env.SCALE_CACHE_DIR,
  // A long time limit: on a loaded machine a short program can overrun the default 10 s and fail the build.
  // MEMTRACE_SCALE_STEPS: which steps every figure shows (the bench's floor build draws only the first).
  integrations: [
    memtrace(
      process.env.MEMTRACE_DISABLE
        ? { disabled: true }
        : { defaults: { timeout: 120000, steps: process.env.MEMTRACE_SCALE_STEPS || undefined } },
    ),
  ],
});
`;

/** Writes the site: one Markdown page per block, a layout, and a config that uses the workspace's memtrace. */
function writeSite(dir: string, blocks: Block[]) {
  mkdirSync(join(dir, 'src/pages/b'), { recursive: true });
  mkdirSync(join(dir, 'src/layouts'), { recursive: true });
  // The site resolves `astro` and `memtrace` from the workspace, as the fixture sites of tests/astro do.
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'astro.config.mjs'), CONFIG);
  writeFileSync(join(dir, 'src/layouts/Page.astro'), LAYOUT);
  blocks.forEach((b, i) => {
    const fence = b.code.includes('```') ? '~~~' : '```';
    const page = `---\nlayout: ../../layouts/Page.astro\ntitle: "${b.name}"\n---\n\nProgram ${i + 1}: ${b.name}.\n\n${fence}python memtrace ${b.meta}\n${b.code.replace(/\n*$/, '\n')}${fence}\n`;
    writeFileSync(join(dir, 'src/pages/b', `${String(i + 1).padStart(3, '0')}.md`), page);
  });
}

interface Build {
  wall: number;
  cpu: number;
  log: string;
}

function astroBuild(site: string, out: string, cache: string, env: Record<string, string> = {}): Build {
  const c0 = childCpuMs();
  const t0 = performance.now();
  const r = spawnSync('npx', ['astro', 'build', '--root', site], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', SCALE_OUT_DIR: out, SCALE_CACHE_DIR: cache, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`astro build of the scale site failed:\n${r.stdout}\n${r.stderr}`);
  return { wall: performance.now() - t0, cpu: childCpuMs() - c0, log: r.stdout };
}

const countElements = (node: Nodes): number =>
  (node.type === 'element' ? 1 : 0) +
  ('children' in node ? node.children.reduce((n, c) => n + countElements(c as Nodes), 0) : 0);

/** Bytes and DOM elements of the largest of some HTML files. */
function largest(out: string, files: string[]) {
  let total = 0;
  let big = { file: '', bytes: 0, html: '' };
  let most = { file: '', nodes: 0 };
  for (const f of files) {
    const html = readFileSync(join(out, f), 'utf8');
    const bytes = Buffer.byteLength(html);
    total += bytes;
    if (bytes > big.bytes) big = { file: f, bytes, html };
    // Parsing every page is slow; the ones with the most elements are among the big ones.
    if (bytes > 50_000 || files.length <= 50) {
      const nodes = countElements(fromHtml(html));
      if (nodes > most.nodes) most = { file: f, nodes };
    }
  }
  return { total, big, most };
}

/**
 * Bytes and DOM elements of the built pages: total, and the largest page. The step pages of long figures
 * (figure/windows.ts), fetched only when a reader steps past the inlined window, are counted apart.
 */
export function pageRows(out: string): Row[] {
  const html = readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.html'));
  const isStepPage = (f: string) => /(^|\/)memtrace-steps\.[0-9a-f]+\.html$/.test(f);
  const pages = largest(
    out,
    html.filter((f) => !isStepPage(f)),
  );
  const stepPages = html.filter(isStepPage);
  const s = 'scale: pages';
  const rows: Row[] = [
    { section: s, metric: `HTML of all ${html.length - stepPages.length} pages, raw`, value: pages.total, unit: 'B' },
    {
      section: s,
      metric: `largest page (${pages.big.file}), raw`,
      value: pages.big.bytes,
      unit: 'B',
      target: '≤ 300 KB',
      ok: pages.big.bytes <= 300 * 1024,
    },
    { section: s, metric: `largest page (${pages.big.file}), gzipped`, value: gzipBytes(pages.big.html), unit: 'B' },
    {
      section: s,
      metric: `most DOM elements on one page (${pages.most.file})`,
      value: pages.most.nodes,
      unit: '',
      target: '≤ 3000',
      ok: pages.most.nodes <= 3000,
    },
  ];
  if (stepPages.length > 0) {
    const steps = largest(out, stepPages);
    rows.push(
      {
        section: s,
        metric: `step pages of long figures (fetched on demand): ${stepPages.length}, raw`,
        value: steps.total,
        unit: 'B',
      },
      { section: s, metric: 'largest step page, raw', value: steps.big.bytes, unit: 'B' },
      { section: s, metric: 'largest step page, gzipped', value: gzipBytes(steps.big.html), unit: 'B' },
    );
  }
  return rows;
}

/** Engine summary of a build's log: time spent tracing and rendering (see logSummary in adapters/astro.ts). */
function engineTimes(log: string): { trace: number; render: number } | undefined {
  const m = log.match(/tracing (\d+) ms, rendering (\d+) ms/);
  return m ? { trace: Number(m[1]), render: Number(m[2]) } : undefined;
}

/**
 * Where the site's memtrace keeps its Pyodide start-up snapshot: the runtime's default, `.cache/memtrace` in the
 * node_modules that holds Pyodide (the workspace's, which the site links to).
 */
const SNAPSHOT_DIR = join(
  dirname(dirname(createRequire(import.meta.url).resolve('pyodide/package.json'))),
  '.cache',
  'memtrace',
);

/** Deletes the Pyodide snapshots, as on a fresh CI runner: the next build boots Pyodide from scratch and makes one. */
function removeSnapshots(): void {
  let names: string[] = [];
  try {
    names = readdirSync(SNAPSHOT_DIR);
  } catch {
    return;
  }
  for (const name of names) if (name.endsWith('.snapshot')) rmSync(join(SNAPSHOT_DIR, name), { force: true });
}

/** Runs the scale benchmark and returns its rows. */
export async function scaleSection(opts: { blocks: number; runs: number; log: (r: Row) => void }): Promise<Row[]> {
  const rows: Row[] = [];
  const row = (r: Row) => (rows.push(r), opts.log(r));
  const { pool, dropped } = await programPool();
  if (pool.length === 0) throw new Error('bench --scale: no programs to build a site from');
  const blocks = pickBlocks(pool, opts.blocks);
  const tmp = mkdtempSync(join(tmpdir(), 'memtrace-scale-'));
  const site = join(tmp, 'site');
  writeSite(site, blocks);
  // The floor build's site: the same blocks, without a `start=` that could point past the one step drawn.
  const floorSite = join(tmp, 'site-floor');
  writeSite(
    floorSite,
    blocks.map((b) => ({ ...b, meta: b.meta.replace(/\bstart=\S+/, '') })),
  );
  const runaways = blocks.filter((b) => b.name.startsWith('runaway')).length;
  row({
    section: 'scale: site',
    metric: `blocks (${pool.length} distinct programs, ${runaways} runaway loops; ${dropped.length} left out: they fail to trace)`,
    value: blocks.length,
    unit: '',
  });

  const dir = (name: string) => join(tmp, name);
  const coldBuild = () => (
    rmSync(dir('cache-cold'), { recursive: true, force: true }), astroBuild(site, dir('out-cold'), dir('cache-cold'))
  );
  const kinds = {
    // As on a fresh CI runner: no figure cache and no Pyodide snapshot (the build makes one).
    cold: () => (removeSnapshots(), coldBuild()),
    // No figure cache, but the snapshot that the cold build before it made (a runner that keeps node_modules/.cache).
    coldSnapshot: coldBuild,
    warm: () => astroBuild(site, dir('out-warm'), dir('cache-warm')),
    off: () => astroBuild(site, dir('out-off'), dir('cache-off'), { MEMTRACE_DISABLE: '1' }),
    // As cold, but every figure draws its first step only: what a cold build costs before its other steps are drawn.
    floor: () => (
      removeSnapshots(),
      rmSync(dir('cache-floor'), { recursive: true, force: true }),
      astroBuild(floorSite, dir('out-floor'), dir('cache-floor'), { MEMTRACE_SCALE_STEPS: '1' })
    ),
  };
  // Fill the warm cache and Astro's own caches first; not counted.
  kinds.warm();
  kinds.off();
  const times: Record<keyof typeof kinds, Build[]> = { cold: [], coldSnapshot: [], warm: [], off: [], floor: [] };
  // coldSnapshot always follows cold, whose snapshot it starts from.
  const orders: (keyof typeof kinds)[][] = [
    ['cold', 'coldSnapshot', 'warm', 'off', 'floor'],
    ['off', 'floor', 'cold', 'coldSnapshot', 'warm'],
    ['warm', 'off', 'cold', 'coldSnapshot', 'floor'],
  ];
  for (let i = 0; i < opts.runs; i++) {
    // The kinds take turns, so that a machine that gets busier or quieter weighs on each alike.
    for (const k of orders[i % orders.length]!) times[k].push(kinds[k]());
  }
  const wall = (k: keyof typeof kinds) => median(times[k].map((b) => b.wall));
  const cpu = (k: keyof typeof kinds) => median(times[k].map((b) => b.cpu));
  const s = 'scale: build';
  for (const k of ['cold', 'coldSnapshot', 'warm', 'off', 'floor'] as const) {
    const label = {
      cold: 'cold (empty cache, no Pyodide snapshot)',
      coldSnapshot: 'cold (empty cache), Pyodide snapshot kept',
      warm: 'warm (every block cached)',
      off: 'without memtrace',
      floor: 'cold as above, each figure drawing its first step only (steps=1)',
    }[k];
    row({ section: s, metric: `${label}, median of ${times[k].length}`, value: wall(k), unit: 'ms' });
  }
  const ratio = wall('warm') / wall('off');
  row({
    section: s,
    metric: 'warm / without memtrace, wall time',
    value: ratio,
    unit: '×',
    target: '≤ 1.1',
    ok: ratio <= 1.1,
  });
  if (cpu('off') > 0)
    row({
      section: s,
      metric: 'warm / without memtrace, CPU time of the build processes',
      value: cpu('warm') / cpu('off'),
      unit: '×',
    });
  const perBlock = (wall('cold') - wall('off')) / blocks.length;
  row({
    section: s,
    metric: 'memtrace adds per block, cold, no snapshot (wall)',
    value: perBlock,
    unit: 'ms',
    target: '≤ 15 ms',
    ok: perBlock <= 15,
  });
  row({
    section: s,
    metric: 'memtrace adds per block, cold, snapshot kept (wall)',
    value: (wall('coldSnapshot') - wall('off')) / blocks.length,
    unit: 'ms',
  });
  row({
    section: s,
    metric: 'memtrace adds per block, cold, no snapshot, first step only: Pyodide, tracing, pages (wall)',
    value: (wall('floor') - wall('off')) / blocks.length,
    unit: 'ms',
  });
  const engine = times.cold.map((b) => engineTimes(b.log)).filter((t) => t !== undefined);
  if (engine.length > 0) {
    row({
      section: s,
      metric: 'cold: engine time tracing, summed over blocks (median)',
      value: median(engine.map((t) => t.trace)),
      unit: 'ms',
    });
    row({
      section: s,
      metric: 'cold: engine time rendering, summed over blocks (median)',
      value: median(engine.map((t) => t.render)),
      unit: 'ms',
    });
  }
  for (const r of pageRows(dir('out-warm'))) row(r);
  if (!process.env.MEMTRACE_SCALE_KEEP) rmSync(tmp, { recursive: true, force: true });
  else row({ section: 'scale: site', metric: 'kept at', value: tmp, unit: '' });
  return rows;
}
