/**
 * What a user installs: the tarball `npm pack` makes of plugin/, installed with npm into fresh projects in the
 * system's temporary folder, outside the workspace, so that nothing resolves through the workspace's node_modules.
 * The installs use the npm registry, through npm's usual cache (warm after the workspace's own install).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const PLUGIN = join(ROOT, 'plugin');

/** npm's own variables (set by `npm test`) would point a child npm back at the workspace: drop them. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ASTRO_TELEMETRY_DISABLED: '1' };
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && !k.startsWith('INIT_CWD')) env[k] = v;
  return env;
}

export interface Run {
  status: number | null;
  /** stdout and stderr, without colours. */
  log: string;
  ms: number;
}

/** Runs a command to its end; its log is for failure messages. */
export function run(command: string, args: string[], cwd: string, timeout = 600_000): Run {
  const t0 = performance.now();
  const r: SpawnSyncReturns<string> = spawnSync(command, args, {
    cwd,
    env: cleanEnv(),
    encoding: 'utf8',
    timeout,
    maxBuffer: 64 << 20,
  });
  const log = `${r.stdout ?? ''}\n${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}`.replace(
    /\x1b\[[0-9;]*m/g,
    '',
  );
  return { status: r.status, log, ms: performance.now() - t0 };
}

export interface PackedFile {
  path: string;
  size: number;
}

export interface Tarball {
  file: string;
  /** Bytes of the .tgz. */
  size: number;
  unpackedSize: number;
  files: PackedFile[];
}

/**
 * Packs plugin/ as it was built (`npm test` builds it first). `--ignore-scripts` skips the package's prepack build,
 * which would empty plugin/dist under the tests that run beside this one.
 */
export function pack(): Tarball {
  const dest = mkdtempSync(join(tmpdir(), 'mt-pack-'));
  const r = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dest], PLUGIN);
  if (r.status !== 0) throw new Error(`npm pack failed:\n${r.log}`);
  const [info] = JSON.parse(r.log.slice(r.log.indexOf('['), r.log.lastIndexOf(']') + 1)) as {
    filename: string;
    size: number;
    unpackedSize: number;
    files: PackedFile[];
  }[];
  return { file: join(dest, info.filename), size: info.size, unpackedSize: info.unpackedSize, files: info.files };
}

/** The version range the workspace itself uses for a package, so a fresh project gets what the tests run. */
export function workspaceRange(name: string): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const range = pkg.dependencies?.[name] ?? pkg.devDependencies?.[name];
  if (!range) throw new Error(`the workspace does not depend on ${name}`);
  return range;
}

export interface Project {
  dir: string;
  install: Run;
}

/** A new project in the temporary folder: package.json with these dependencies and the tarball, then `npm install`. */
export function freshProject(name: string, tarball: string, dependencies: string[]): Project {
  const dir = mkdtempSync(join(tmpdir(), `mt-${name}-`));
  const deps = Object.fromEntries(dependencies.map((d) => [d, workspaceRange(d)]));
  const pkg = {
    name: `memtrace-${name}-check`,
    private: true,
    type: 'module',
    dependencies: { ...deps, memtrace: `file:${tarball}` },
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  const install = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], dir);
  if (install.status !== 0) throw new Error(`npm install in ${dir} failed:\n${install.log}`);
  return { dir, install };
}

/** Writes files (paths relative to dir), making folders as needed. */
export function write(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** `astro build` in a project, with the Node that runs the tests (26: the sandbox's own). */
export function astroBuild(dir: string): Run {
  return run(process.execPath, [join(dir, 'node_modules/astro/bin/astro.mjs'), 'build'], dir);
}

export interface Snippet {
  lang: string;
  code: string;
  /** 1-based line of the opening fence, for messages. */
  line: number;
}

/** The fenced code blocks of a Markdown file, as written (fences of three or more backticks or tildes). */
export function snippets(markdownFile: string): Snippet[] {
  const lines = readFileSync(join(ROOT, markdownFile), 'utf8').split('\n');
  const found: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,}|~{3,})\s*([\w-]*)[^`]*$/.exec(lines[i]);
    if (!open) continue;
    const fence = open[1];
    const closes = (l: string) => l.trim().length >= fence.length && [...l.trim()].every((c) => c === fence[0]);
    const end = lines.findIndex((l, j) => j > i && closes(l));
    if (end < 0) throw new Error(`${markdownFile}:${i + 1}: fence never closed`);
    found.push({ lang: open[2], code: lines.slice(i + 1, end).join('\n') + '\n', line: i + 1 });
    i = end;
  }
  return found;
}

/** A build on a busy 2-core machine: Pyodide's first start alone has taken a minute there. */
export const BUILD_TIMEOUT = 900_000;

/** The docs the snippet tests read. */
export const DOCS = ['README.md', 'content/docs/getting-started.md'] as const;

/** A Markdown page with one memtrace block, as a user writes it. */
export const PAGE_MD = [
  '# Aliasing',
  '',
  '```python memtrace title="Two names, one list"',
  'a = [1, 2, 3]',
  'b = a',
  'b.append(4)',
  'print(a)',
  '```',
  '',
].join('\n');

/** The memtrace figures of a page, each with its number of steps and SVGs. */
export function figures(html: string): { steps: number; svgs: number }[] {
  return (html.match(/<figure class="memtrace[ "][\s\S]*?<\/figure>/g) ?? []).map((f) => ({
    steps: (f.match(/<li class="memtrace-step[^"]*"/g) ?? []).length,
    // One side-by-side diagram per step (a stacked one too where that is narrower).
    svgs: (f.match(/<svg [^>]*>/g) ?? []).filter((t) => t.includes('role="img"') && t.includes('mt-x')).length,
  }));
}
