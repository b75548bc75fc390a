/**
 * Builds the demo site once for the whole test run (the browser and site tests read it from dist/), unless
 * MEMTRACE_SITE_DIR points at a build that already exists.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

export default function setup(project: TestProject) {
  const root = resolve(import.meta.dirname, '../..');
  let siteDir = process.env.MEMTRACE_SITE_DIR;
  if (!siteDir || !existsSync(siteDir)) {
    siteDir = resolve(root, 'dist');
    const started = Date.now();
    execFileSync('npx', ['astro', 'build'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
    });
    console.log(`demo site built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  project.provide('siteDir', siteDir);
}

declare module 'vitest' {
  export interface ProvidedContext {
    siteDir: string;
  }
}
