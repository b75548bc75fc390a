/**
 * The browser and site tests read the demo site from dist/ (built by `npm test` before vitest starts), or from
 * MEMTRACE_SITE_DIR.
 */
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

export default function setup(project: TestProject) {
  project.provide('siteDir', process.env.MEMTRACE_SITE_DIR ?? resolve(import.meta.dirname, '../../dist'));
}

declare module 'vitest' {
  export interface ProvidedContext {
    siteDir: string;
  }
}
