/**
 * The tarball `npm pack` makes of plugin/: what it holds, what it declares, and that every module in it is one a
 * user runs. Its size and file count are printed for the notes.
 */
import { builtinModules } from 'node:module';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pack, PLUGIN } from './helpers.ts';

const tarball = pack();
const paths = tarball.files.map((f) => f.path);
const manifest = JSON.parse(readFileSync(join(PLUGIN, 'package.json'), 'utf8'));
const text = (path: string) => readFileSync(join(PLUGIN, path), 'utf8');

console.log(
  `memtrace tarball: ${paths.length} files, ${(tarball.size / 1000).toFixed(1)} kB packed, ${(tarball.unpackedSize / 1000).toFixed(1)} kB unpacked`,
);

/** Every relative module a packed JS file loads, statically or through import(), and every bare one. */
function imports(path: string): { relative: string[]; bare: string[] } {
  const code = text(path);
  // besideAdapters('x.js'): a client module a host loads by path (Docusaurus, VitePress).
  const specs = [
    ...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\(\s*|\.resolve\(\s*)['"]([^'"]+)['"]/g),
    ...[...code.matchAll(/\bbesideAdapters\(\s*['"]([^'"]+)['"]/g)].map((m) => [m[0], `./${m[1]}`]),
  ].map((m) => m[1]!);
  return {
    relative: specs.filter((s) => s.startsWith('.')).map((s) => posix.normalize(posix.join(posix.dirname(path), s))),
    bare: specs.filter((s) => !s.startsWith('.')),
  };
}

/** The packed files a set of entry modules load, transitively; each must be in the tarball. */
function reach(entries: string[], as = (p: string) => p): Set<string> {
  const reached = new Set<string>();
  const queue = [...entries];
  while (queue.length) {
    const path = queue.pop()!;
    if (reached.has(path)) continue;
    expect(paths, `${path} is loaded but not packed`).toContain(path);
    reached.add(path);
    // Declarations name their modules with .ts (rewriteRelativeImportExtensions leaves them); TypeScript reads .d.ts.
    const loaded = imports(path).relative.map((p) => p.replace(/(?<!\.d)\.ts$/, '.js'));
    queue.push(...loaded.filter((p) => p.endsWith('.js')).map(as));
  }
  return reached;
}

describe('the packed package', () => {
  it('holds the built code, its types and what it reads at run time, and no TypeScript source', () => {
    for (const needed of [
      'package.json',
      'README.md',
      'CHANGELOG.md',
      'bin/memtrace.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/adapters/remark.js',
      'dist/adapters/remark.d.ts',
      'dist/engine/index.d.ts',
      'dist/trace/python/run.py',
      'dist/trace/python/heap.py',
      'dist/trace/python/native.py',
      'dist/trace/python/pytutor.py',
      'dist/trace/child.js',
      'dist/figure/client-assets.json',
      'dist/client/memtrace.css',
    ])
      expect(paths, needed).toContain(needed);
    expect(paths.filter((p) => p.startsWith('src/') || (/\.ts$/.test(p) && !p.endsWith('.d.ts')))).toEqual([]);
    // One copy of the tracer, the largest file.
    // The tracer's modules once each: in dist/, not again in a source folder.
    expect(paths.filter((p) => p.endsWith('.py'))).toEqual(
      ['heap', 'native', 'pytutor', 'run'].map((m) => `dist/trace/python/${m}.py`),
    );
    // Every JS module has its types.
    for (const js of paths.filter((p) => p.startsWith('dist/') && p.endsWith('.js')))
      expect(paths, js).toContain(js.replace(/\.js$/, '.d.ts'));
  });

  it('ships only modules that the exports, the bin or the tracer child reach, in code or in types', () => {
    const targets = Object.values(manifest.exports as Record<string, string | Record<string, string>>).flatMap((e) =>
      typeof e === 'string' ? [e] : Object.values(e),
    );
    const norm = (p: string) => posix.normalize(p);
    const code = reach(
      [...targets, ...Object.values(manifest.bin as Record<string, string>), './dist/trace/child.js']
        .map(norm)
        .filter((p) => p.endsWith('.js')),
    );
    // A .d.ts names its neighbours by their .js file.
    const types = reach(
      targets.map(norm).filter((p) => p.endsWith('.d.ts')),
      (p) => p.replace(/\.js$/, '.d.ts'),
    );
    const unreached = tarball.files.filter(
      (f) =>
        /\.(js|d\.ts)$/.test(f.path) &&
        !code.has(f.path.replace(/\.d\.ts$/, '.js')) &&
        !types.has(f.path.replace(/\.js$/, '.d.ts')),
    );
    // The dev-only modules stay out (bench timing, the in-process tracer of the tests); what else nothing reaches is
    // only small type modules and helpers not yet wired, a few kB at most.
    expect(paths.filter((p) => /render\/bench|trace\/dev-run/.test(p))).toEqual([]);
    expect(
      unreached.reduce((n, f) => n + f.size, 0),
      unreached.map((f) => f.path).join(', '),
    ).toBeLessThan(6_000);
  });

  it('declares every package its code loads, and no build tool as a dependency', () => {
    const deps = Object.keys(manifest.dependencies);
    const peers = Object.keys(manifest.peerDependencies ?? {});
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const name = (spec: string) =>
      spec
        .split('/')
        .slice(0, spec.startsWith('@') ? 2 : 1)
        .join('/');
    const loaded = new Set(
      paths
        .filter((p) => p.endsWith('.js'))
        .flatMap((p) =>
          imports(p)
            .bare.filter((s) => !builtins.has(s))
            .map(name),
        ),
    );
    // esbuild is looked up inside a try, only when a workspace's sources are newer than the prebuilt assets.
    loaded.delete('esbuild');
    for (const pkg of loaded) expect([...deps, ...peers], pkg).toContain(pkg);
    for (const dep of deps) expect(loaded, `${dep} is a dependency that no shipped module loads`).toContain(dep);
    for (const tool of ['esbuild', 'typescript', 'vitest', 'playwright-core']) expect(deps).not.toContain(tool);
    expect(manifest.devDependencies).toHaveProperty('esbuild');
  });

  it('is ready to publish: metadata, a build before packing, tests before publishing, a changelog entry', () => {
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
    expect(manifest.repository).toMatchObject({ type: 'git', directory: 'plugin' });
    expect(manifest.homepage).toMatch(/^https:\/\//);
    expect(manifest.keywords).toEqual(expect.arrayContaining(['python', 'astro', 'remark']));
    expect(manifest.license).toBe('MIT');
    expect(manifest.scripts.prepack).toMatch(/scripts\/build\.ts/);
    expect(manifest.scripts.prepublishOnly).toMatch(/\btest\b/);
    expect(text('CHANGELOG.md')).toMatch(new RegExp(`^## ${manifest.version.replaceAll('.', '\\.')}\\b`, 'm'));
  });

  it('stays small', () => {
    // Today 131 files (a module and its types per stage, adapter and tracer module) and 201 kB packed: a margin
    // for new modules, none for shipping fixtures, traces or a bundled dependency by mistake.
    expect(paths.length).toBeLessThan(150);
    // The tracer's documented Python modules are a third of it.
    expect(tarball.size).toBeLessThan(225_000);
  });
});
