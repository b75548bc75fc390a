// @ts-check
import starlight from '@astrojs/starlight';
import { defineConfig } from 'astro/config';
import memtrace from 'memtrace';

// A Starlight site with memtrace next to it. memtrace needs nothing else: no Markdown processor change, no options.
// (custom.css is an optional touch: figures on Starlight's page background.)
// FIXTURE_OUT_DIR and FIXTURE_CACHE_DIR let the tests build it into temporary folders; unset, Astro's defaults apply.
export default defineConfig({
  outDir: process.env.FIXTURE_OUT_DIR,
  cacheDir: process.env.FIXTURE_CACHE_DIR,
  integrations: [
    starlight({
      title: 'memtrace in Starlight',
      pagefind: false,
      customCss: ['./src/styles/custom.css'],
      sidebar: [{ label: 'Guides', items: [{ autogenerate: { directory: 'guides' } }] }],
    }),
    memtrace(),
  ],
});
