/**
 * Installs the host example sites (examples/docusaurus, examples/vitepress) when they are not yet installed: each
 * keeps Docusaurus or VitePress in its own lockfile, out of memtrace's install, and the host tests build them. Run
 * before the tests (`npm test`), so that the README's two commands work on a fresh clone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const EXAMPLES: [string, string][] = [
  ['examples/docusaurus', 'docusaurus'],
  ['examples/vitepress', 'vitepress'],
];

for (const [dir, bin] of EXAMPLES) {
  const site = join(root, dir);
  if (existsSync(join(site, 'node_modules/.bin', bin))) continue;
  console.log(`installing ${dir} (its own dependencies, for the host tests)`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const run = spawnSync(npm, ['install', '--no-audit', '--no-fund'], { cwd: site, stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`npm install failed in ${dir}: the host tests need it`);
    process.exit(1);
  }
}
