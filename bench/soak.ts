/**
 * `npm run bench -- --soak`: the author's loop. Starts `astro dev` on a copy of the demo site, saves
 * `content/posts/stack-and-heap.md` N times for each kind of edit, fetches the page after each save until it is up to
 * date, and prints:
 * - the dev server's memory (RSS) per save, with memtrace and with `MEMTRACE_DISABLE=1` (the same prose edits);
 * - p50/p95 save-to-updated-page latency for a prose edit, a one-block re-trace, and a syntax error then its fix, and
 *   for the prose edits with `MEMTRACE_DISABLE=1` (Astro alone, which writes its content store 500 ms after a save;
 *   memtrace has it written as soon as the saved entry is rendered);
 * - the load average at the start and at the end (the latencies are only as clean as the machine was idle);
 * - the processes alive at the end (runtime children while serving, anything left after the server was stopped).
 *
 * Memory is read after each save once the server has settled and collected its garbage (bench/soak-probe.mjs, loaded
 * into the server): the heap (V8's heap and external memory) and RSS, as a least-squares slope over the counted saves
 * and as the median of the per-save differences.
 *
 * Options: `--saves N` (per kind, default 50), `--warmup N` (saves before memory is counted, default 10),
 * `--kinds prose,retrace,syntax` (the kinds of edit made with memtrace, default all three), `--snapshots DIR` (heap
 * snapshots of the server after the warm-up and at the end of the prose edits, for finding what is retained),
 * `--servers memtrace,disabled` (the dev servers soaked, default both; one alone for runs side by side).
 * The copy lives in tests/.tmp (inside the repository, so the site resolves the workspace's packages) and is removed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, printTable, type Row } from './lib.ts';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const numberArg = (name: string, fallback: number) =>
  args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback;
const SAVES = numberArg('--saves', 50);
const WARMUP = numberArg('--warmup', 10);
const KINDS = (args.includes('--kinds') ? args[args.indexOf('--kinds') + 1]! : 'prose,retrace,syntax').split(
  ',',
) as Kind[];
const SERVERS = (args.includes('--servers') ? args[args.indexOf('--servers') + 1]! : 'memtrace,disabled').split(',');
const SNAPSHOTS = args.includes('--snapshots') ? resolve(args[args.indexOf('--snapshots') + 1]!) : undefined;
/**
 * Waited after a save's page is up to date: the settled change is reported once more 300 ms after it, once its renders
 * are done (adapters/astro-saves.ts), and that echo must not fall into the next save.
 */
const SETTLE_MS = 500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (s: string) => process.stderr.write(`  soak: ${s}\n`);

/** One process of the dev server's tree, from /proc. */
interface Proc {
  pid: number;
  ppid: number;
  rssMb: number;
  cmd: string;
}

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)![1]);
      const rss = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0) / 1024;
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      out.push({ pid: Number(name), ppid, rssMb: rss, cmd });
    } catch {}
  }
  return out;
}

/** Every descendant of `pid`. */
function descendants(pid: number, all = processes()): Proc[] {
  const found: Proc[] = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    const next = all.filter((p) => frontier.includes(p.ppid));
    found.push(...next);
    frontier = next.map((p) => p.pid);
  }
  return found;
}

/** The Astro dev server (the node process running astro) and its children (the sandboxed runtimes). */
function serverTree(pid: number) {
  const all = descendants(pid);
  const server = all.find((p) => /astro(\.js|\.mjs)? dev\b/.test(p.cmd) && !p.cmd.startsWith('npm'));
  const children = server ? descendants(server.pid, all) : [];
  return { server, children, all };
}

/**
 * A copy of the demo site in tests/.tmp. Its Astro cache (memtrace's figures among it) is kept between soaks in
 * tests/.tmp/soak-cache, so that a soak starts from traced blocks rather than tracing the whole site first.
 */
function copySite(): { site: string; cache: string } {
  mkdirSync(join(root, 'tests/.tmp'), { recursive: true });
  const site = mkdtempSync(join(root, 'tests/.tmp', 'soak-'));
  for (const entry of ['astro.config.mjs', 'tsconfig.json', 'src', 'content', 'public']) {
    cpSync(join(root, entry), join(site, entry), { recursive: true });
  }
  const cache = join(root, 'tests/.tmp/soak-cache');
  mkdirSync(cache, { recursive: true });
  return { site, cache };
}

interface Server {
  proc: ChildProcess;
  url: string;
  output: () => string;
  /** The file bench/soak-probe.mjs reads its commands from. */
  probe: string;
}

/** The server's memory after a full garbage collection (see bench/soak-probe.mjs), in MB. */
interface Memory {
  rss: number;
  /** V8's heap in use plus external memory (buffers and strings held outside the heap). */
  heap: number;
}

/** Asks the dev server's process to collect its garbage (and write a heap snapshot to `snapshot`), then reads its memory. */
async function probe(server: Server, snapshot?: string): Promise<Memory | undefined> {
  const pid = serverTree(server.proc.pid!).server?.pid;
  if (!pid) return undefined;
  const answer = `${server.probe}.${pid}.json`;
  rmSync(answer, { force: true });
  writeFileSync(server.probe, snapshot ? `snapshot ${snapshot}` : 'gc');
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 1200 && !existsSync(answer); i++) await sleep(50);
  if (!existsSync(answer)) return undefined;
  const m = JSON.parse(readFileSync(answer, 'utf8')) as { rss: number; heapUsed: number; external: number };
  return { rss: m.rss / 2 ** 20, heap: (m.heapUsed + m.external) / 2 ** 20 };
}

async function startServer(site: string, cache: string, port: number, disabled: boolean): Promise<Server> {
  let output = '';
  const probe = join(site, `.soak-probe-${port}`);
  const preload = `--import=${pathToFileURL(join(root, 'bench/soak-probe.mjs')).href}`;
  const env: Record<string, string | undefined> = {
    ...process.env,
    ASTRO_TELEMETRY_DISABLED: '1',
    MEMTRACE_CACHE_DIR: cache,
    MEMTRACE_SOAK_PROBE: probe,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${preload}`.trim(),
  };
  if (disabled) env.MEMTRACE_DISABLE = '1';
  else delete env.MEMTRACE_DISABLE;
  const proc = spawn('npx', ['astro', 'dev', '--root', site, '--port', String(port), '--host', '127.0.0.1'], {
    cwd: root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (d) => (output += d));
  proc.stderr!.on('data', (d) => (output += d));
  return { proc, url: `http://127.0.0.1:${port}/posts/stack-and-heap/`, output: () => output, probe };
}

async function fetchPage(url: string): Promise<string> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
    return await res.text();
  } catch {
    return '';
  }
}

/** Polls the page until `ok`; the time it took, in ms (Infinity after `limitMs`). */
async function untilPage(url: string, ok: (html: string) => boolean, since: number, limitMs = 60_000): Promise<number> {
  while (performance.now() - since < limitMs) {
    if (ok(await fetchPage(url))) return performance.now() - since;
    await sleep(25);
  }
  return Infinity;
}

const BLOCK_END = /(```python memtrace[^\n]*\n[\s\S]*?)(\n```)/;

/** The post with a prose marker and a last line in its first block; `broken` leaves that line unfinished. */
function postVersion(original: string, prose: number, value: number, broken = false): string {
  const line = broken ? `soak = (${value}` : `soak = ${value}`;
  return original
    .replace(BLOCK_END, (_, block: string, end: string) => `${block}\n${line}${end}`)
    .replace(/\n\n/, `\n\nSoak edit ${prose}.\n\n`);
}

type Kind = 'prose' | 'retrace' | 'syntax';

interface SoakResult {
  /** Dev server memory after each counted save (settled, garbage collected), per kind of edit. */
  memory: Record<string, Memory[]>;
  latency: Record<string, number[]>;
  children: number[];
  /** RSS of the runtime children (MB, summed) after each save. */
  childRss: number[];
}

/**
 * The saves: for each kind, WARMUP then SAVES saves; after each, waits for the page to be up to date and records the
 * server's RSS. Without memtrace only prose edits are made (the other kinds need figures).
 */
async function soak(server: Server, file: string, original: string, memtrace: boolean): Promise<SoakResult> {
  const result: SoakResult = {
    memory: {},
    latency: { prose: [], retrace: [], 'syntax error shown': [], 'syntax error fixed': [] },
    children: [],
    childRss: [],
  };
  let prose = 0;
  // The figures' cache outlives a soak (tests/.tmp/soak-cache): values not met in an earlier run, so that a re-trace
  // traces rather than finds the figure drawn last time.
  let value = 1_000_000 + (Date.now() % 9_000_000);
  const save = async (kind: string, text: string, ok: (html: string) => boolean, counted: boolean) => {
    const t = performance.now();
    writeFileSync(file, text);
    const ms = await untilPage(server.url, ok, t);
    if (ms === Infinity) {
      // The server logs every poll of the page: its other lines tell what happened.
      const lines = server
        .output()
        .split('\n')
        .filter((l) => l.trim() && !/\[200\]/.test(l));
      log(`${kind}: the page was not updated within 60 s; the server's last output:\n${lines.slice(-20).join('\n')}`);
    }
    if (counted) result.latency[kind]!.push(ms);
  };
  const figureWith = (v: number) => (h: string) =>
    h.includes(`Soak edit ${prose}.`) && h.includes(`${v}`) && !h.includes('memtrace-error');
  const kinds: Kind[] = memtrace ? KINDS : ['prose'];
  const snapshot = async (when: string) => {
    if (!SNAPSHOTS) return;
    mkdirSync(SNAPSHOTS, { recursive: true });
    const file = join(SNAPSHOTS, `${memtrace ? 'memtrace' : 'disabled'}-${when}.heapsnapshot`);
    await probe(server, file);
    log(`heap snapshot: ${file}`);
  };
  for (const kind of kinds) {
    const memory: Memory[] = (result.memory[kind] = []);
    for (let i = 0; i < WARMUP + SAVES; i++) {
      if (kind === 'prose' && i === WARMUP) await snapshot('warm');
      const counted = i >= WARMUP;
      if (kind === 'prose') {
        prose++;
        await save('prose', postVersion(original, prose, value), (h) => h.includes(`Soak edit ${prose}.`), counted);
      } else if (kind === 'retrace') {
        value++;
        await save('retrace', postVersion(original, prose, value), figureWith(value), counted);
      } else {
        value++;
        await save(
          'syntax error shown',
          postVersion(original, prose, value, true),
          (h) => h.includes('memtrace-error'),
          counted,
        );
        value++;
        await save('syntax error fixed', postVersion(original, prose, value), figureWith(value), counted);
      }
      await sleep(SETTLE_MS);
      const m = counted ? await probe(server) : undefined;
      if (m) memory.push(m);
      const tree = serverTree(server.proc.pid!);
      result.children.push(tree.children.length);
      if (counted) result.childRss.push(tree.children.reduce((n, c) => n + c.rssMb, 0));
      if (i % 10 === 9)
        log(
          `${memtrace ? 'memtrace' : 'disabled'} ${kind}: ${i + 1} saves, RSS ${tree.server?.rssMb.toFixed(0)} MB, heap ${m?.heap.toFixed(0) ?? '?'} MB`,
        );
    }
    if (kind === 'prose') await snapshot('end');
  }
  return result;
}

/** Least-squares slope of `ys` over their index: MB per save. */
function slope(ys: number[]): number {
  const n = ys.length;
  if (n < 2) return NaN;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

/** The median of the differences between consecutive values: MB per save. */
const medianStep = (ys: number[]) => median(ys.slice(1).map((y, i) => y - ys[i]!));

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};

/** Stops the server's whole process group and reports what is still alive. */
async function stop(server: Server): Promise<number> {
  const pid = server.proc.pid!;
  const tree = descendants(pid).map((p) => p.pid);
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {}
  for (let i = 0; i < 50 && tree.some(alive); i++) await sleep(100);
  for (const p of tree.filter(alive)) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {}
  }
  await sleep(200);
  return tree.filter(alive).length;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs one dev server through the soak; the site's post is restored afterwards. */
async function run(
  memtrace: boolean,
  site: string,
  cache: string,
  port: number,
): Promise<SoakResult & { left: number }> {
  const file = join(site, 'content/posts/stack-and-heap.md');
  const original = readFileSync(file, 'utf8');
  const server = await startServer(site, cache, port, !memtrace);
  // Interrupted (Ctrl-C, a timeout): the server's process group goes too, and the site's copy with it.
  const interrupted = () => {
    void stop(server).finally(() => {
      rmSync(site, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
  try {
    const ready = await untilPage(
      server.url,
      (h) => h.includes('</html>') && (!memtrace || h.includes('class="memtrace')),
      performance.now(),
      600_000,
    );
    if (ready === Infinity) throw new Error(`the dev server did not serve the page:\n${server.output()}`);
    log(`${memtrace ? 'memtrace' : 'disabled'}: first page in ${Math.round(ready)} ms`);
    const result = await soak(server, file, original, memtrace);
    return { ...result, left: await stop(server) };
  } catch (error) {
    await stop(server);
    throw error;
  } finally {
    process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
    writeFileSync(file, original);
  }
}

const EDITS: Record<string, string> = {
  prose: 'prose edits',
  retrace: 'one-block re-traces',
  syntax: 'syntax error + fix (per save)',
};

/**
 * Memory per save, settled and garbage collected: the heap (V8 heap + external) and RSS, each as a slope over the
 * counted saves and as the median per-save difference; and the prose edits' ratio to the same edits without memtrace.
 */
function memoryRows(on: Record<string, Memory[]>, off: Memory[], mb: (xs: number[]) => string): Row[] {
  const rows: Row[] = [];
  const per = (ms: Memory[], part: keyof Memory, saves: number) => ({
    slope: slope(ms.map((m) => m[part])) / saves,
    median: medianStep(ms.map((m) => m[part])) / saves,
  });
  const add = (label: string, ms: Memory[], saves: number) => {
    if (ms.length === 0) return;
    for (const part of ['heap', 'rss'] as const) {
      const { slope: s, median: m } = per(ms, part, saves);
      rows.push({
        section: 'soak memory',
        metric: `${label}: ${part} slope (${mb(ms.map((x) => x[part]))} MB)`,
        value: s,
        unit: 'MB/save',
      });
      rows.push({
        section: 'soak memory',
        metric: `${label}: ${part}, median per-save step`,
        value: m,
        unit: 'MB/save',
      });
    }
  };
  for (const [kind, ms] of Object.entries(on)) add(`${EDITS[kind]}, memtrace`, ms, kind === 'syntax' ? 2 : 1);
  add('prose edits, MEMTRACE_DISABLE=1', off, 1);
  if (on.prose && off.length > 0) {
    for (const part of ['heap', 'rss'] as const) {
      const a = per(on.prose, part, 1).slope;
      const b = per(off, part, 1).slope;
      // Under 0.1 MB a save both ways is within the noise of a collected heap: the target is met.
      rows.push({
        section: 'soak memory',
        metric: `prose edits, ${part} slope, memtrace / disabled`,
        value: a / b,
        unit: '×',
        target: '≤ 1.2, or < 0.1 MB/save',
        ok: a <= 1.2 * Math.max(b, 0.1),
      });
    }
  }
  return rows;
}

/** The targets of save-to-page latency at p95, in ms. */
const LATENCY_TARGETS: Record<string, number> = { prose: 500, retrace: 1000 };

/**
 * Save-to-page latency: pages never updated, then p50 and p95 of each kind with memtrace and of the prose edits with
 * `MEMTRACE_DISABLE=1` (Astro alone), and what memtrace changes at the prose edits' p50 and p95.
 */
function latencyRows(on: Record<string, number[]>, off: number[]): Row[] {
  const rows: Row[] = [];
  const kinds: [string, number[]][] = [
    ...Object.entries(on).filter(([, xs]) => xs.length > 0),
    ...(off.length > 0 ? [['prose, MEMTRACE_DISABLE=1', off] as [string, number[]]] : []),
  ];
  for (const [kind, xs] of kinds) {
    const missed = xs.filter((ms) => ms === Infinity).length;
    rows.push({
      section: 'soak latency',
      metric: `${kind}: pages not up to date 60 s after the save`,
      value: missed,
      unit: `of ${xs.length}`,
    });
  }
  const measured = (xs: number[]) => xs.filter((ms) => ms !== Infinity);
  for (const [kind, xs] of kinds) {
    for (const p of [50, 95]) {
      const v = percentile(measured(xs), p);
      const target = p === 95 ? LATENCY_TARGETS[kind] : undefined;
      rows.push({
        section: 'soak latency',
        metric: `${kind}, p${p}`,
        value: v,
        unit: 'ms',
        ...(target ? { target: `≤ ${target} ms`, ok: v <= target } : {}),
      });
    }
  }
  const differences: [string, number[] | undefined, number[] | undefined][] = [
    ['prose: memtrace − Astro alone (negative: faster)', on.prose, off],
    // The same server, the same loop: what a re-trace adds is tracing and drawing the block.
    ['retrace − prose, memtrace (the trace and the drawing)', on.retrace, on.prose],
  ];
  for (const [what, a, b] of differences) {
    if (!a?.length || !b?.length) continue;
    for (const p of [50, 95]) {
      const value = percentile(measured(a), p) - percentile(measured(b), p);
      rows.push({ section: 'soak latency', metric: `${what}, p${p}`, value, unit: 'ms' });
    }
  }
  return rows;
}

/** The load average over the last minute: the soak's timings are only as clean as the machine was idle. */
const load = () => loadavg()[0]!;

/** The soak rows for `npm run bench -- --soak`. */
export async function soakSection(): Promise<Row[]> {
  const { site, cache } = copySite();
  const port = 4800 + (process.pid % 400);
  const rows: Row[] = [];
  const loadBefore = load();
  try {
    const none = (): SoakResult & { left: number } => ({
      memory: {},
      latency: {},
      children: [0],
      childRss: [],
      left: 0,
    });
    const on = SERVERS.includes('memtrace') ? await run(true, site, cache, port) : none();
    const off = SERVERS.includes('disabled') ? await run(false, site, cache, port + 1) : none();
    const mb = (xs: number[] | undefined) => `${xs?.[0]?.toFixed(0)} → ${xs?.at(-1)?.toFixed(0)}`;
    rows.push({ section: 'soak', metric: `saves per kind (after ${WARMUP} warm-up saves)`, value: SAVES, unit: '' });
    rows.push({
      section: 'soak',
      metric: 'load average (1 min), at the start → at the end',
      value: `${loadBefore.toFixed(1)} → ${load().toFixed(1)}`,
      unit: '',
    });
    rows.push(...memoryRows(on.memory, off.memory.prose ?? [], mb));
    rows.push(...latencyRows(on.latency, off.latency.prose ?? []));
    rows.push({
      section: 'soak memory',
      metric: `runtime child RSS, first → last counted save`,
      value: mb(on.childRss),
      unit: 'MB',
    });
    rows.push({
      section: 'soak',
      metric: 'runtime children while serving (max)',
      value: Math.max(...on.children),
      unit: '',
    });
    rows.push({
      section: 'soak',
      metric: 'processes left after stopping the servers',
      value: on.left + off.left,
      unit: '',
      target: '0',
      ok: on.left + off.left === 0,
    });
  } finally {
    rmSync(site, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.main) printTable(await soakSection());
