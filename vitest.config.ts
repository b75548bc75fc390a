import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Pyodide starts in ~2 s and an Astro build takes tens of seconds: real parts, real time.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['tests/setup/global.ts'],
  },
});
