/**
 * The trace child: a Node process that runs Pyodide and the tracer, one program at a time.
 *
 * Started by {@link ./runtime.ts} with an empty environment under Node's permission model (read access to
 * Pyodide's folder and the tracer's module files only; no writes, no child processes, no workers, no network), so that the
 * programs it runs cannot reach the build machine. This file must stay free of imports other than `node:`
 * builtins: the permission model would deny reading anything else.
 *
 * Protocol (JSON lines): the host writes `{"id", "code", "options"}` on stdin (options is a JSON string, passed
 * as is to `run_trace`); the child answers on stdout with `{"ready", "python", "loadMs"}` once, then one
 * `{"id", "ms", "heapBytes", "result"}` (result: the tracer's JSON, spliced in unparsed) or `{"id", "error"}`
 * per request. `{"fatal"}` means the child is about to exit. Anything else on stdout is noise to ignore.
 * A child started in `make-snapshot` mode first sends `{"snapshot": "<base64>"}`, a memory snapshot of its interpreter
 * taken before anything else runs in it, and then serves like any other.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { syncBuiltinESMExports } from 'node:module';
import { pathToFileURL } from 'node:url';

interface Request {
  id: number;
  code: string;
  options: string;
}

/**
 * `boot`: start Pyodide from scratch. `make-snapshot`: start from scratch, send a memory snapshot of the fresh
 * interpreter, then serve (the snapshot is taken before the tracer loads or a program runs, so every child starts
 * from the same state; taking it costs tens of milliseconds, where a second child would cost a whole boot).
 * `load-snapshot`: start from the snapshot file, about twice as fast as booting.
 */
type Mode = 'boot' | 'make-snapshot' | 'load-snapshot';

const [pyodideDir, tracerModulesArg, wasmLimitArg, modeArg = 'boot', snapshotPath] = process.argv.slice(2);
// The tracer's modules in load order, joined with the platform's path delimiter (see tracer-modules.ts).
const tracerModules = tracerModulesArg.split(path.delimiter);
const wasmLimitBytes = Number(wasmLimitArg) || 1024 * 1024 * 1024;
const mode = modeArg as Mode;

// The program can reach this process's JS (`import js`, `pyodide_js`), so stdout is kept for the protocol alone:
// stray writes (console.log, Pyodide's own stdout) go to stderr, which the host only keeps for crash reports.
const stdoutWrite = process.stdout.write.bind(process.stdout);
const toStderr = (chunk: string | Uint8Array): boolean => process.stderr.write(chunk);
process.stdout.write = toStderr as typeof process.stdout.write;
console.log = console.info = console.debug = console.error;

function send(message: string): void {
  stdoutWrite(message + '\n');
}

function deny(what: string): () => never {
  return () => {
    throw Object.assign(new Error(`${what} is not allowed in memtrace's sandbox`), { code: 'ERR_ACCESS_DENIED' });
  };
}

// The permission model does not cover signals and scheduling: without this a program could kill or renice
// the build (`js.process.kill(js.process.ppid, 9)`).
process.kill = deny('process.kill');
(process as unknown as { _kill: unknown })._kill = deny('process.kill');
os.setPriority = deny('os.setPriority');
syncBuiltinESMExports();

// A program can leave JS work behind that fails after it ended (a refused socket emits 'error' with no listener);
// that must not take down the child in the middle of the next program.
process.on(
  'uncaughtException',
  (error) => void process.stderr.write(`memtrace child: uncaught ${error?.stack ?? error}\n`),
);
process.on(
  'unhandledRejection',
  (reason) => void process.stderr.write(`memtrace child: unhandled rejection ${reason}\n`),
);

// Pyodide's loader reads `process.binding('constants')`, which the permission model refuses.
const originalBinding = (process as unknown as { binding(name: string): unknown }).binding;
(process as unknown as { binding(name: string): unknown }).binding = (name: string) =>
  name === 'constants' ? { fs: fs.constants } : originalBinding.call(process, name);

// Caps the wasm heap below wasm32's 4 GB: Emscripten's heap resize catches the error, malloc returns NULL and
// Python raises MemoryError, so a program that eats memory ends its own trace instead of the machine's RAM.
const originalGrow = WebAssembly.Memory.prototype.grow;
WebAssembly.Memory.prototype.grow = function grow(this: WebAssembly.Memory, delta: number): number {
  if (this.buffer.byteLength + delta * 65536 > wasmLimitBytes) {
    throw new RangeError(`memtrace: wasm memory limit of ${wasmLimitBytes} bytes reached`);
  }
  return originalGrow.call(this, delta);
};

interface Pyodide {
  makeMemorySnapshot(): Uint8Array;
  runPython(code: string, options?: { globals?: unknown; filename?: string }): unknown;
  globals: { get(name: string): () => { get(key: string): unknown } };
  _module: { HEAP8: Int8Array };
}

async function loadInterpreter(): Promise<Pyodide> {
  const { loadPyodide } = (await import(pathToFileURL(`${pyodideDir}/pyodide.mjs`).href)) as {
    loadPyodide(options: object): Promise<Pyodide>;
  };
  const diagnostic = (text: string) => void process.stderr.write(text + '\n');
  const pyodide = await loadPyodide({
    indexURL: `${pyodideDir}/`,
    env: { PYTHONHASHSEED: '0' },
    stdout: diagnostic,
    stderr: diagnostic,
    // Without a handler Pyodide would read fd 0, which carries the protocol. The tracer feeds input() itself.
    stdin: () => null,
    ...(mode === 'make-snapshot' ? { _makeSnapshot: true } : {}),
    ...(mode === 'load-snapshot' ? { _loadSnapshot: fs.readFileSync(snapshotPath) } : {}),
  });
  if (mode === 'load-snapshot') {
    // Restoring runs Pyodide's last set-up step a second time, which puts a second '' in front of sys.path.
    pyodide.runPython("import sys\nif sys.path[:2] == ['', '']: del sys.path[0]\ndel sys");
  }
  return pyodide;
}

async function start(
  pyodide: Pyodide,
): Promise<{ pyodide: Pyodide; runTrace: (code: string, options: string) => string }> {
  // Emscripten implements system() with child_process.spawnSync: the permission model refuses it, but the JS error
  // would unwind through Python's C stack instead of raising inside the program. Refuse it in Python instead.
  pyodide.runPython(
    [
      'import os, posix',
      'def system(command):',
      '    raise PermissionError("memtrace: programs cannot start processes")',
      'os.system = posix.system = system',
      'del os, posix, system',
    ].join('\n'),
  );
  // The modules run in order into one fresh namespace, each under its own file name, the way dev-run.ts loads
  // them, so both loaders behave alike.
  const namespace = pyodide.globals.get('dict')();
  for (const module of tracerModules) {
    pyodide.runPython(fs.readFileSync(module, 'utf8'), { globals: namespace, filename: module });
  }
  const runTrace = namespace.get('run_trace') as (code: string, options: string) => string;
  return { pyodide, runTrace };
}

function handle(runtime: Awaited<ReturnType<typeof start>>, request: Request): void {
  const started = performance.now();
  let result: string;
  try {
    result = runtime.runTrace(request.code, request.options);
  } catch (error) {
    // A PythonError whose traceback could not be formatted has an empty message but still knows its type.
    const failure = error as Error & { type?: string };
    const message = failure?.message || (failure?.type ? `${failure.type} (no message)` : String(error));
    send(JSON.stringify({ id: request.id, error: message }));
    return;
  }
  const ms = (performance.now() - started).toFixed(2);
  const heapBytes = runtime.pyodide._module.HEAP8.buffer.byteLength;
  // The tracer's JSON is spliced in unparsed: parsing a multi-megabyte trace only to serialize it again is waste.
  // JSON never needs a raw newline, but an indented dump would break the line framing, so check.
  if (typeof result !== 'string' || result.includes('\n')) result = JSON.stringify(JSON.parse(String(result)));
  send(`{"id":${request.id},"ms":${ms},"heapBytes":${heapBytes},"result":${result}}`);
}

async function main(): Promise<void> {
  const loadStarted = performance.now();
  let runtime: Awaited<ReturnType<typeof start>>;
  try {
    const pyodide = await loadInterpreter();
    if (mode === 'make-snapshot') {
      const snapshot = pyodide.makeMemorySnapshot();
      // Base64 keeps the line framing; the host decodes it once and keeps the file. The pipe write is asynchronous:
      // the lines that follow queue behind it.
      send(
        `{"snapshot":"${Buffer.from(snapshot.buffer, snapshot.byteOffset, snapshot.byteLength).toString('base64')}"}`,
      );
    }
    runtime = await start(pyodide);
  } catch (error) {
    const fatal = `could not start Pyodide${mode === 'load-snapshot' ? ' from its snapshot' : ''}: ${(error as Error)?.stack ?? error}`;
    send(JSON.stringify({ fatal, snapshot: mode === 'load-snapshot' }));
    process.exit(1);
  }
  const python = String(runtime.pyodide.runPython('import sys; sys.version.split()[0]'));
  send(JSON.stringify({ ready: true, python, loadMs: Math.round(performance.now() - loadStarted) }));

  let buffered = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line.trim()) handle(runtime, JSON.parse(line) as Request);
    }
  });
  // The host closing stdin is the way to say "no more work".
  process.stdin.on('end', () => process.exit(0));
}

await main();
