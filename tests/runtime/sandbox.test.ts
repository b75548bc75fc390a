/**
 * Escapes tried for real from inside a traced program: each must fail, with the permission model's own error where
 * there is one. The programs print one line per attempt (`label OK ...` or `label DENIED <error>`).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { childArgs, TraceRuntime } from '../../plugin/src/trace/runtime.ts';
import { TRACER_MODULES } from '../../plugin/src/trace/tracer-modules.ts';
import { printed } from './helpers.ts';

const SECRET = 'memtrace-test-secret-6c1f0e';
const RESTRICTED = /Access to this API has been restricted/;
const repoPackageJson = resolve(import.meta.dirname, '../../package.json');

// Set before the runtime starts: a child that inherited the build's environment would see it.
process.env.MEMTRACE_SECRET_TOKEN = SECRET;
const runtime = new TraceRuntime();
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'memtrace-sandbox-'));
});
afterAll(async () => {
  await runtime.close();
  rmSync(scratch, { recursive: true, force: true });
  delete process.env.MEMTRACE_SECRET_TOKEN;
});

// The tracer refuses `import js` in programs; importlib goes around that guard, as a determined program would,
// to reach what the permission model alone has to hold.
const PRELUDE = `import importlib
js = importlib.import_module('js')
def attempt(label, fn):
    try:
        result = fn()
        print(label, 'OK', repr(result)[:200])
    except BaseException as e:
        print(label, 'DENIED', type(e).__name__, ' '.join(str(e).split())[:300])
`;

/** Runs the attempts and returns each label's outcome line (without the label). */
async function attempts(body: string): Promise<Record<string, string>> {
  const out = printed(await runtime.trace(PRELUDE + body, { maxSteps: 10_000 }));
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)]),
  );
}

const py = (value: string) => JSON.stringify(value);

describe('the child is started with the least it needs', () => {
  test('permission model on, read grants for Pyodide and each tracer module by name, nothing else allowed', () => {
    const args = childArgs({
      tracerDir: resolve(import.meta.dirname, '../../plugin/src/trace/python'),
      memoryLimitMb: 64,
    });
    expect(args).toContain('--permission');
    const grants = args.filter((a) => a.startsWith('--allow-fs-read=')).map((a) => a.slice('--allow-fs-read='.length));
    expect(grants).toHaveLength(1 + TRACER_MODULES.length);
    // Files, never the folder that holds them: nothing else placed beside the tracer becomes readable.
    expect(grants.slice(1).map((g) => basename(g))).toEqual([...TRACER_MODULES]);
    expect(args.filter((a) => a.startsWith('--allow-') && !a.startsWith('--allow-fs-read='))).toEqual([]);
    expect(args).toEqual(expect.arrayContaining(['--no-experimental-sqlite', '--no-addons']));
  });
});

describe('environment', () => {
  test('the build environment is out of reach from Python and from JS', async () => {
    const r = await attempts(`
import os
attempt('os_environ', lambda: 'MEMTRACE' in str(dict(os.environ)))
attempt('js_env_keys', lambda: js.Object.keys(js.process.env).length)
attempt('js_env_secret', lambda: js.process.env.MEMTRACE_SECRET_TOKEN)
pyodide_js = importlib.import_module('pyodide_js')
attempt('constructor', lambda: pyodide_js.runPython.constructor("return globalThis.process.env")())
attempt('vm', lambda: js.process.getBuiltinModule('vm').runInThisContext('JSON.stringify(process.env)'))
attempt('report', lambda: 'MEMTRACE' in js.JSON.stringify(js.process.report.getReport()))
attempt('proc_self', lambda: js.process.getBuiltinModule('fs').readFileSync('/proc/self/environ', 'utf8'))
attempt('proc_parent', lambda: js.process.getBuiltinModule('fs').readFileSync('/proc/' + str(js.process.ppid) + '/environ', 'utf8'))
attempt('py_proc_parent', lambda: open('/proc/' + str(js.process.ppid) + '/environ').read())
`);
    expect(r.os_environ).toBe('OK False');
    expect(r.js_env_keys).toBe('OK 0');
    expect(r.js_env_secret).toMatch(/^(OK None|DENIED AttributeError)/);
    // --disallow-code-generation-from-strings closes the constructor chain outright.
    expect(r.constructor).toMatch(/DENIED JsException EvalError: Code generation from strings disallowed/);
    // vm still compiles strings, and finds an empty environment.
    expect(r.vm).toBe(`OK '{}'`);
    expect(r.report).toBe('OK False');
    expect(r.proc_self).toMatch(RESTRICTED);
    expect(r.proc_parent).toMatch(RESTRICTED);
    expect(r.py_proc_parent).toMatch(/DENIED FileNotFoundError/);
  });
});

describe('processes', () => {
  test('no way to start a process', async () => {
    const marker = join(scratch, 'spawned');
    const shell = `touch ${marker}`;
    const r = await attempts(`
cp = js.process.getBuiltinModule('child_process')
attempt('execSync', lambda: cp.execSync(${py(shell)}))
attempt('spawn', lambda: cp.spawn('sh', js.Array.of('-c', ${py(shell)})))
attempt('fork', lambda: cp.fork('/dev/null'))
import os, subprocess
attempt('os_system', lambda: os.system(${py(shell)}))
import posix
attempt('posix_system', lambda: posix.system(${py(shell)}))
attempt('subprocess', lambda: subprocess.run(['sh', '-c', ${py(shell)}]))
attempt('os_popen', lambda: os.popen(${py(shell)}).read())
attempt('worker', lambda: js.process.getBuiltinModule('worker_threads').Worker.new('1', js.JSON.parse('{"eval": true}')))
attempt('binding', lambda: js.process.binding('spawn_sync'))
attempt('addon', lambda: js.process.dlopen(js.Object.new(), '/nonexistent.node'))
attempt('ffi', lambda: js.process.getBuiltinModule('node:ffi'))
`);
    for (const label of ['execSync', 'spawn', 'fork']) expect(r[label]).toMatch(/allow-child-process/);
    // Emscripten's system() would throw the permission model's error through Python's C stack: both the tracer
    // and the child replace it with a Python error.
    expect(r.os_system).toMatch(/^DENIED PermissionError .*cannot start/);
    expect(r.posix_system).toMatch(/^DENIED PermissionError .*cannot start/);
    expect(r.subprocess).toMatch(/DENIED OSError .*does not support processes/);
    expect(r.os_popen).toMatch(/DENIED OSError/);
    expect(r.worker).toMatch(/allow-worker/);
    expect(r.binding).toMatch(/DENIED .*ERR_ACCESS_DENIED/);
    expect(r.addon).toMatch(/DENIED .*addons is disabled/);
    expect(r.ffi).toBe('OK None');
    expect(existsSync(marker)).toBe(false);
  });

  test('no way to signal or renice the build', async () => {
    const r = await attempts(`
attempt('kill', lambda: js.process.kill(js.process.ppid, 0))
attempt('raw_kill', lambda: js.process._kill(js.process.ppid, 0))
attempt('renice', lambda: js.process.getBuiltinModule('os').setPriority(js.process.ppid, 10))
import os, signal
attempt('os_kill', lambda: os.kill(js.process.ppid, signal.SIGTERM))
`);
    for (const label of ['kill', 'raw_kill', 'renice'])
      expect(r[label]).toMatch(/DENIED JsException .*not allowed in memtrace's sandbox/);
    expect(r.os_kill).toMatch(/^DENIED/);
  });
});

describe('files', () => {
  test('host files cannot be read', async () => {
    const r = await attempts(`
fs = js.process.getBuiltinModule('fs')
attempt('etc_passwd', lambda: fs.readFileSync('/etc/passwd', 'utf8'))
attempt('package_json', lambda: fs.readFileSync(${py(repoPackageJson)}, 'utf8'))
attempt('exists', lambda: fs.existsSync(${py(repoPackageJson)}))
attempt('readdir', lambda: fs.readdirSync('/'))
attempt('require', lambda: js.process.getBuiltinModule('module').createRequire('/x.js')(${py(repoPackageJson)}))
attempt('py_open', lambda: open('/etc/passwd').read())
attempt('py_open_repo', lambda: open(${py(repoPackageJson)}).read())
`);
    for (const label of ['etc_passwd', 'package_json', 'readdir', 'require']) expect(r[label]).toMatch(RESTRICTED);
    expect(r.exists).toMatch(RESTRICTED);
    expect(r.py_open).toMatch(/DENIED FileNotFoundError/);
    expect(r.py_open_repo).toMatch(/DENIED FileNotFoundError/);
  });

  test('host files cannot be written', async () => {
    const targets = ['js_write', 'mkdir', 'sqlite', 'report', 'py_write'].map((name) => join(scratch, name));
    const [jsWrite, mkdir, sqlite, report, pyWrite] = targets.map(py);
    const r = await attempts(`
fs = js.process.getBuiltinModule('fs')
attempt('js_write', lambda: fs.writeFileSync(${jsWrite}, 'x'))
attempt('mkdir', lambda: fs.mkdirSync(${mkdir}))
attempt('sqlite', lambda: js.process.getBuiltinModule('node:sqlite').DatabaseSync.new(${sqlite}))
attempt('report', lambda: js.process.report.writeReport(${report}))
def py_write():
    import os
    os.makedirs(${py(scratch)}, exist_ok=True)
    with open(${pyWrite}, 'w') as f:
        f.write('x')
    return os.path.exists(${pyWrite})
attempt('py_write', py_write)
`);
    expect(r.js_write).toMatch(/allow-fs-write/);
    expect(r.mkdir).toMatch(/allow-fs-write/);
    // node:sqlite ignores the permission model in Node 26; the flag that disables it is what stops it.
    expect(r.sqlite).toMatch(/DENIED AttributeError/);
    expect(r.report).toMatch(RESTRICTED);
    // Python's own files live in Pyodide's in-memory file system, which dies with the child.
    expect(r.py_write).toBe('OK True');
    for (const target of targets) expect(existsSync(target), target).toBe(false);
  });
});

describe('network', () => {
  let server: Server;
  let url: string;
  let connections = 0;

  beforeAll(async () => {
    server = createServer((_request, response) => response.end('reached'));
    server.on('connection', () => connections++);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  test('no connection reaches a loopback server', async () => {
    const port = new URL(url).port;
    await runtime.start();
    const startsBefore = runtime.stats.starts;
    // Asynchronous attempts settle after the program ends, so a second program collects their outcomes.
    const first = await attempts(`
def outcome(label):
    # Defaults, not globals: the program's namespace is cleared once it ends, before these run.
    def record(value, js=js, label=label, str=str):
        setattr(js.globalThis, 'memtrace_' + label, ' '.join(str(value).split())[:200])
    return record
def later(label, make):
    try:
        make().then(outcome(label + ' OK'), outcome(label + ' DENIED'))
        print(label, 'STARTED')
    except BaseException as e:
        print(label, 'DENIED', type(e).__name__, ' '.join(str(e).split())[:300])
later('fetch', lambda: js.fetch(${py(url)}))
later('import', lambda: js.process.getBuiltinModule('vm').runInThisContext("import('${url}x.mjs')", js.JSON.parse('{}')))
http = js.process.getBuiltinModule('http')
attempt('http', lambda: http.get(${py(url)}))
net = js.process.getBuiltinModule('net')
attempt('net', lambda: net.connect(int(${port}), '127.0.0.1'))
import socket, urllib.request
attempt('py_socket', lambda: socket.create_connection(('127.0.0.1', int(${port}))))
attempt('urllib', lambda: urllib.request.urlopen(${py(url)}).read())
`);
    expect(first.fetch).toBe('STARTED');
    expect(first.py_socket).toMatch(/DENIED OSError/);
    expect(first.urllib).toMatch(/DENIED URLError/);
    await new Promise((done) => setTimeout(done, 1000));
    const settled = printed(
      await runtime.trace(
        `import importlib\njs = importlib.import_module('js')\nfor k in ['fetch', 'import']:\n    print(k, getattr(js.globalThis, 'memtrace_' + k + ' OK', None) or getattr(js.globalThis, 'memtrace_' + k + ' DENIED', None))`,
      ),
    );
    expect(settled).toMatch(/^fetch TypeError: fetch failed$/m);
    expect(settled).toMatch(/^import .*ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING|^import .*restricted/m);
    expect(first.http).toMatch(/^OK|allow-net/);
    expect(connections).toBe(0);
    // The refused sockets failed after the program ended; the child survived that and was reused.
    expect(runtime.stats.starts).toBe(startsBefore);
  });
});
