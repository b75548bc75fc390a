import { defineConfig } from 'vitepress';
import memtrace from 'memtrace/vitepress';

// A VitePress site with memtrace: one Vite plugin, nothing else.
// FIXTURE_OUT_DIR and FIXTURE_CACHE_DIR let the tests build it into temporary folders; unset, VitePress' defaults apply.
export default defineConfig({
  title: 'memtrace in VitePress',
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
