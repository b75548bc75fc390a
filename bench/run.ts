/**
 * `npm run bench`: memtrace's speed and size figures, measured in one run. `--json` prints the rows as JSON;
 * `--quick` skips the site builds (the built site in dist/ is still measured, readability included); `--builds` runs only them; `--soak` runs only the dev-server soak (bench/soak.ts); `--scale` runs only the big-site builds (bench/scale.ts, `--blocks N`); `--tracer` runs only the tracer's timings on the conformance programs (bench/tracer.ts); `--pytutor DIR` (or MEMTRACE_PYTUTOR_DIR) adds Python Tutor's own tracer, from DIR, to them; `--runs N` sets the repetitions (default 5).
 *
 * Everything is a median over repeated runs; ratios are taken between numbers of this same run.
 */
import { CONFORMANCE_DIR } from '../tests/conformance.ts';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { assetSizes } from '../plugin/src/figure/assets.ts';
import { htmlBytes } from '../plugin/src/figure/hast.ts';
import { renderFigure } from '../plugin/src/figure/markup.ts';
import { render, type RenderedFigure } from '../plugin/src/render/index.ts';
import { isTraceFailure, type Trace, type TraceResult } from '../plugin/src/trace/format.ts';
import { TraceRuntime } from '../plugin/src/trace/runtime.ts';
import { arrowRows } from './arrows.ts';
import { childCpuMs, demoBlocks, gzipBytes, median, printTable, timeMs, type Row } from './lib.ts';
import { readabilityRows } from './readability.ts';
import { pytutorDir, tracerRows } from './tracer.ts';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const buildsOnly = args.includes('--builds');
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const conformanceDir = join(CONFORMANCE_DIR, 'programs');
const rows: Row[] = [];
const row = (r: Row) => {
  rows.push(r);
  if (!json)
    process.stderr.write(
      `  ${r.section}: ${r.metric} = ${typeof r.value === 'number' ? r.value.toFixed(2) : r.value} ${r.unit}\n`,
    );
};

const SEED = readFileSync(join(root, 'content/posts/stack-and-heap.md'), 'utf8').match(
  /^```python memtrace[^\n]*\n([\s\S]*?)^```/m,
)![1]!;

async function tracerSection(runtime: TraceRuntime) {
  // Start-up: a fresh sandboxed child each time (spawn + Pyodide load + tracer).
  const starts: number[] = [];
  for (let i = 0; i < Math.min(runs, 3); i++) {
    const r = new TraceRuntime();
    starts.push(await timeMs(() => r.start()));
    await r.close();
  }
  row({ section: 'pyodide', metric: 'start-up (sandboxed child, median)', value: median(starts), unit: 'ms' });

  await runtime.start();
  const seedTimes: number[] = [];
  let seed: Trace | undefined;
  for (let i = 0; i < runs * 2; i++) {
    seedTimes.push(
      await timeMs(async () => {
        const r = await runtime.trace(SEED);
        if (isTraceFailure(r)) throw new Error(r.message);
        seed = r;
      }),
    );
  }
  row({
    section: 'seed example',
    metric: `trace (${seed!.steps.length} steps, incl. IPC)`,
    value: median(seedTimes),
    unit: 'ms',
  });
  const renderTimes: number[] = [];
  for (let i = 0; i < runs * 2; i++) renderTimes.push(await timeMs(() => render(seed!)));
  row({ section: 'seed example', metric: 'render (all steps)', value: median(renderTimes), unit: 'ms' });
  return seed!;
}

/** The conformance programs, name -> code, in name order. */
function conformancePrograms(): Record<string, string> {
  return Object.fromEntries(
    readdirSync(conformanceDir)
      .filter((f) => f.endsWith('.py'))
      .sort()
      .map((f) => [f.replace(/\.py$/, ''), readFileSync(join(conformanceDir, f), 'utf8')]),
  );
}

async function conformanceSection(runtime: TraceRuntime) {
  if (!existsSync(conformanceDir)) {
    if (process.env.CI) throw new Error(`bench: no conformance programs at ${conformanceDir}`);
    return [];
  }
  const programs = conformancePrograms();
  // Through the sandboxed runtime, as a build runs them (IPC included).
  const perProgram: number[] = [];
  const traces: Trace[] = [];
  for (const code of Object.values(programs)) {
    const samples: number[] = [];
    let last: TraceResult | undefined;
    for (let i = 0; i < 3; i++) samples.push(await timeMs(async () => (last = await runtime.trace(code))));
    perProgram.push(median(samples));
    if (last && !isTraceFailure(last)) traces.push(last);
  }
  row({
    section: 'conformance',
    metric: `trace per program, median of ${perProgram.length}`,
    value: median(perProgram),
    unit: 'ms',
  });
  row({ section: 'conformance', metric: 'trace per program, slowest', value: Math.max(...perProgram), unit: 'ms' });

  // The tracer's own cost, without the sandbox and IPC: in Pyodide, in the local CPython, against Python Tutor's.
  for (const r of await tracerRows(programs, 3, pytutorDir(args))) row(r);
  return traces;
}

async function renderSection(runtime: TraceRuntime, extra: Trace[]) {
  const demo: Trace[] = [];
  for (const b of demoBlocks(root)) {
    const r = await runtime.trace(b.code, { maxSteps: b.maxSteps, stdin: b.stdin });
    if (!isTraceFailure(r)) demo.push(r);
  }
  for (const [label, traces] of [
    ['demo posts', demo],
    ['conformance', extra],
  ] as const) {
    if (traces.length === 0) {
      // No data is no measurement: say so rather than print NaN against a target.
      if (process.env.CI) throw new Error(`bench: no traces for "render: ${label}" (is ${conformanceDir} there?)`);
      row({ section: `render: ${label}`, metric: 'time per step', value: 'not measured: no traces', unit: '' });
      continue;
    }
    const perStep: number[] = [];
    const raw: number[] = [];
    const gz: number[] = [];
    const marginal: number[] = [];
    for (const t of traces) {
      if (t.steps.length === 0) continue;
      const samples: number[] = [];
      let fig: Awaited<ReturnType<typeof render>> | undefined;
      // As a site gets them: the page layout (the code as HTML, a stacked diagram too where the wide one is wider
      // than a phone), what the steps share drawn once per figure.
      for (let i = 0; i < 3; i++) samples.push(await timeMs(async () => (fig = await render(t, { layout: 'page' }))));
      perStep.push(median(samples) / t.steps.length);
      const svgs = fig!.steps.map((s) => s.svg + (s.narrow ?? ''));
      for (const s of svgs) raw.push(s.length), gz.push(gzipBytes(s));
      // What each step after the first adds to the figure's HTML, gzipped whole (code panes, both diagrams): against
      // the figure of the first step alone, so that what later steps share through <use> counts as theirs.
      if (svgs.length > 1) {
        const first = await render(t, { layout: 'page', steps: [0] });
        const html = (f: RenderedFigure) => htmlBytes(renderFigure(f, { id: 'mtbench' }));
        marginal.push((gzipBytes(html(fig!)) - gzipBytes(html(first))) / (svgs.length - 1));
      }
    }
    const ms = median(perStep);
    row({
      section: `render: ${label}`,
      metric: `time per step, median over ${perStep.length} figures`,
      value: ms,
      unit: 'ms',
      target: '≤ 3 ms',
      ok: ms <= 3,
    });
    row({
      section: `render: ${label}`,
      metric: 'SVGs per step (both arrangements) without the shared part, raw (median)',
      value: median(raw),
      unit: 'B',
    });
    row({
      section: `render: ${label}`,
      metric: 'SVGs per step (both arrangements) without the shared part, gzipped alone (median)',
      value: median(gz),
      unit: 'B',
    });
    const m = median(marginal);
    row({
      section: `render: ${label}`,
      metric: "gzipped bytes each later step adds to its figure's HTML (median)",
      value: m,
      unit: 'B',
      target: '≤ 1024 B',
      ok: m <= 1024,
    });
    row({
      section: `render: ${label}`,
      metric: 'same, worst figure',
      value: Math.max(...marginal),
      unit: 'B',
      target: '≤ 1024 B',
      ok: Math.max(...marginal) <= 1024,
    });
    for (const r of await arrowRows(label, traces)) row(r);
  }
}

/** One `astro build`: its wall time, and the CPU time of the whole process tree (which a busy machine disturbs less). */
function astroBuild(env: Record<string, string>): { wall: number; cpu: number } {
  const c0 = childCpuMs();
  const t0 = performance.now();
  const r = spawnSync('npx', ['astro', 'build'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', ...env },
  });
  if (r.status !== 0) throw new Error(`astro build failed:\n${r.stdout}\n${r.stderr}`);
  return { wall: performance.now() - t0, cpu: childCpuMs() - c0 };
}

function buildSection(): string {
  const tmp = mkdtempSync(join(tmpdir(), 'memtrace-bench-'));
  const out = join(tmp, 'dist');
  const cache = join(tmp, 'cache');
  const offCache = join(tmp, 'cache-off');
  const n = Math.min(runs, 3);
  const cold: number[] = [];
  for (let i = 0; i < n; i++) {
    rmSync(cache, { recursive: true, force: true });
    cold.push(astroBuild({ MEMTRACE_OUT_DIR: out, MEMTRACE_CACHE_DIR: cache }).wall);
  }
  const offOut = join(tmp, 'dist-off');
  astroBuild({ MEMTRACE_OUT_DIR: offOut, MEMTRACE_CACHE_DIR: offCache, MEMTRACE_DISABLE: '1' });
  // Warm and disabled builds take turns, in the order ABBA ABBA ..., so that neither a machine that gets busier or
  // quieter nor going first in a pair weighs on one side more than on the other.
  const warm: { wall: number; cpu: number }[] = [];
  const off: { wall: number; cpu: number }[] = [];
  const pairs = 2 * Math.ceil(Math.max(runs, 6) / 2);
  for (let i = 0; i < pairs; i++) {
    const w = () => warm.push(astroBuild({ MEMTRACE_OUT_DIR: out, MEMTRACE_CACHE_DIR: cache }));
    const o = () =>
      off.push(astroBuild({ MEMTRACE_OUT_DIR: offOut, MEMTRACE_CACHE_DIR: offCache, MEMTRACE_DISABLE: '1' }));
    if (i % 2 === 0) w(), o();
    else o(), w();
  }
  const wall = (xs: { wall: number }[]) => median(xs.map((x) => x.wall));
  const cpu = (xs: { cpu: number }[]) => median(xs.map((x) => x.cpu));
  row({ section: 'site build', metric: `cold (empty caches), median of ${n}`, value: median(cold), unit: 'ms' });
  row({ section: 'site build', metric: `warm (cached), median of ${warm.length}`, value: wall(warm), unit: 'ms' });
  row({
    section: 'site build',
    metric: `plugin disabled (warm), median of ${off.length}, in turn with the warm ones`,
    value: wall(off),
    unit: 'ms',
  });
  const ratio = wall(warm) / wall(off);
  row({
    section: 'site build',
    metric: 'warm / disabled, wall time (medians)',
    value: ratio,
    unit: '×',
    target: '≤ 1.1',
    ok: ratio <= 1.1,
  });
  if (cpu(off) > 0) {
    row({
      section: 'site build',
      metric: `CPU time of the build processes: warm ${Math.round(cpu(warm))} ms, disabled ${Math.round(cpu(off))} ms (medians)`,
      value: cpu(warm) / cpu(off),
      unit: '×',
    });
  }
  return out;
}

function bytesSection(site: string) {
  const sizes = assetSizes();
  // The stepper and the stylesheet, each against its budget.
  for (const [kind, asset, budget] of [
    ['JS', sizes.js, 1536],
    ['CSS', sizes.css, 2048],
  ] as const) {
    row({
      section: 'client',
      metric: `${kind} ${asset.fileName}, gzipped`,
      value: asset.gzip,
      unit: 'B',
      target: `≤ ${budget} B`,
      ok: asset.gzip <= budget,
    });
  }
  // What Astro carries through a build (its data store, bundles, pages) grows with this; the warm build's cost does.
  const html = readdirSync(site, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.html'));
  const total = html.reduce((n, f) => n + readFileSync(join(site, f)).length, 0);
  row({ section: 'site', metric: `HTML of all ${html.length} pages, raw`, value: total, unit: 'B' });
  const pages = [
    ...readdirSync(join(site, 'posts')).map((p) => [`posts/${p}`, join(site, 'posts', p, 'index.html')]),
    ['gallery (ten figures)', join(site, 'gallery', 'index.html')],
  ];
  for (const [name, file] of pages) {
    if (!existsSync(file!)) continue;
    const html = readFileSync(file!, 'utf8');
    const hasFigure = html.includes('class="memtrace');
    const total = gzipBytes(html) + (hasFigure ? sizes.js.gzip + sizes.css.gzip : 0);
    row({ section: 'transfer (gzipped HTML + JS + CSS)', metric: name!, value: total, unit: 'B' });
  }
}

if (args.includes('--scale')) {
  // The big-site builds run alone: they take minutes, and the other sections would share the machine with them.
  const { scaleSection } = await import('./scale.ts');
  const blocks = Number(args[args.indexOf('--blocks') + 1]) || 230;
  const scaleRows = await scaleSection({ blocks, runs: Number(args[args.indexOf('--runs') + 1]) || 3, log: row });
  if (json) console.log(JSON.stringify(scaleRows, null, 2));
  else printTable(scaleRows);
  process.exit(0);
}

if (args.includes('--tracer')) {
  // The tracer's cost alone (in Pyodide, in CPython, against Python Tutor's with --pytutor DIR): a minute, not ten.
  if (!existsSync(conformanceDir)) throw new Error(`bench: no conformance programs at ${conformanceDir}`);
  const tracerOnly = await tracerRows(conformancePrograms(), runs, pytutorDir(args));
  if (json) console.log(JSON.stringify(tracerOnly, null, 2));
  else printTable(tracerOnly);
  process.exit(0);
}

if (args.includes('--soak')) {
  // The dev-server soak runs alone: it takes minutes, and the other sections would skew its memory and timings.
  const { soakSection } = await import('./soak.ts');
  const soakRows = await soakSection();
  if (json) console.log(JSON.stringify(soakRows, null, 2));
  else printTable(soakRows);
  process.exit(0);
}

if (!buildsOnly) {
  const runtime = new TraceRuntime();
  try {
    await tracerSection(runtime);
    const conformance = await conformanceSection(runtime);
    await renderSection(runtime, conformance);
  } finally {
    await runtime.close();
  }
}
let site = resolve(root, 'dist');
if (!quick) site = buildSection();
if (existsSync(join(site, 'posts'))) {
  bytesSection(site);
  for (const r of await readabilityRows(site)) row(r);
}

if (json) console.log(JSON.stringify(rows, null, 2));
else printTable(rows);
