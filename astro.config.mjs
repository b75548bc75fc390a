// @ts-check
import mdx from '@astrojs/mdx';
import { defineConfig } from 'astro/config';
import memtrace from 'memtrace';

// MEMTRACE_BASE lets the tests build the site under a sub-path (e.g. /docs/), as a project page on a static host would be.
export default defineConfig({
  base: process.env.MEMTRACE_BASE ?? '/',
  trailingSlash: 'ignore',
  integrations: [memtrace(process.env.MEMTRACE_DISABLE ? { disabled: true } : {}), mdx()],
});
