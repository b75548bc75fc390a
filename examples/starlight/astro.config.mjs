// @ts-check
import starlight from '@astrojs/starlight';
import { defineConfig } from 'astro/config';
import memtrace from 'memtrace';

// A Starlight site with memtrace next to it: no Markdown processor change, no extra config.
// FIXTURE_OUT_DIR and FIXTURE_CACHE_DIR let the tests build it into temporary folders.
export default defineConfig({
  outDir: process.env.FIXTURE_OUT_DIR ?? './dist',
  cacheDir: process.env.FIXTURE_CACHE_DIR ?? './node_modules/.astro',
  integrations: [
    starlight({
      title: 'memtrace in Starlight',
      pagefind: false,
      sidebar: [{ label: 'Guides', items: [{ autogenerate: { directory: 'guides' } }] }],
    }),
    memtrace(),
  ],
});
