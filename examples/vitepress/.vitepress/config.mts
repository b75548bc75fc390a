import { defineConfig } from 'vitepress';
import memtrace from 'memtrace/vitepress';

// A VitePress site with memtrace: one Vite plugin, nothing else.
// FIXTURE_OUT_DIR, FIXTURE_CACHE_DIR and FIXTURE_SRC_DIR let the tests build it (or pages of their own) into temporary
// folders; unset, VitePress' defaults apply.
export default defineConfig({
  title: 'memtrace in VitePress',
  head: [['link', { rel: 'icon', href: '/favicon.svg' }]],
  srcDir: process.env.FIXTURE_SRC_DIR ?? '.',
  outDir: process.env.FIXTURE_OUT_DIR,
  cacheDir: process.env.FIXTURE_CACHE_DIR,
  themeConfig: {
    sidebar: [
      { text: 'The stack and the heap', link: '/' },
      { text: 'Names and aliasing', link: '/aliasing' },
    ],
  },
  vite: { plugins: [memtrace()] },
});
