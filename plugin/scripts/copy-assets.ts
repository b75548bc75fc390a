// Copies the files tsc does not emit (Python modules, stylesheets, ...) from plugin/src to plugin/dist, same paths, and
// minifies the client assets once for every build to come (figure/assets.ts).
// Run after `tsc -p plugin`: `node plugin/scripts/copy-assets.ts`.
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const plugin = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(plugin, 'src');
const dist = join(plugin, 'dist');
let copied = 0;
for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || /\.(ts|tsx|mts|cts)$/.test(entry.name)) continue;
  const from = join(entry.parentPath, entry.name);
  const to = join(dist, relative(src, from));
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  copied++;
}
// The published package has no minifier at run time (esbuild is a devDependency): this is where it minifies.
try {
  await import('esbuild');
} catch {
  throw new Error('copy-assets: esbuild is missing; install the devDependencies (npm install) before building');
}
const { minifiedAssets } = await import('../src/figure/assets.ts');
writeFileSync(join(dist, 'figure/client-assets.json'), JSON.stringify(minifiedAssets()));
console.log(`copy-assets: ${copied} files from plugin/src to plugin/dist, client assets minified`);
