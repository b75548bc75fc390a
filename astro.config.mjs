// @ts-check
import mdx from '@astrojs/mdx';
import { defineConfig } from 'astro/config';
import memtrace from 'memtrace';

// MEMTRACE_BASE lets the tests build the site under a sub-path (e.g. /docs/), as a project page on a static host would be.
export default defineConfig({
  base: process.env.MEMTRACE_BASE ?? '/',
  // The benchmark builds into its own folders, to compare cold, warm and plugin-less builds.
  outDir: process.env.MEMTRACE_OUT_DIR ?? './dist',
  cacheDir: process.env.MEMTRACE_CACHE_DIR ?? './node_modules/.astro',
  trailingSlash: 'ignore',
  integrations: [memtrace(process.env.MEMTRACE_DISABLE ? { disabled: true } : {}), mdx()],
});
