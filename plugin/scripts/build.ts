// The package build, from an empty dist/: compile with tsc, then copy and minify the assets (copy-assets.ts).
// Run by `npm run build` and before `npm pack` / `npm publish` in plugin/, so a tarball never holds a stale file.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const plugin = join(dirname(fileURLToPath(import.meta.url)), '..');
rmSync(join(plugin, 'dist'), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', plugin], { stdio: 'inherit' });
await import('./copy-assets.ts');
