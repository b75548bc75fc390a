/**
 * The packed tarball in a fresh Astro site outside the workspace: each Astro config snippet of the README and the
 * getting-started page (those that start `// astro.config.mjs` and do not use Starlight), written as the site's
 * config exactly as it stands, then `astro build`. One install serves every snippet.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { astroBuild, BUILD_TIMEOUT, DOCS, figures, freshProject, pack, PAGE_MD, snippets, write } from './helpers.ts';

const tarball = pack();
const site = freshProject('astro', tarball.file, ['astro']);
console.log(
  `fresh Astro site: tarball ${(tarball.size / 1000).toFixed(1)} kB, ${tarball.files.length} files; npm install took ${(site.install.ms / 1000).toFixed(1)} s`,
);
write(site.dir, { 'src/pages/index.md': PAGE_MD });

describe('memtrace in a fresh Astro site, from the packed tarball', () => {
  for (const doc of DOCS) {
    const found = snippets(doc).filter(
      (s) => s.lang === 'js' && s.code.startsWith('// astro.config.mjs') && !s.code.includes('starlight'),
    );
    it(`${doc} has an Astro config snippet`, () => expect(found.length).toBeGreaterThan(0));
    for (const snippet of found) {
      it(
        `builds with the config snippet of ${doc}:${snippet.line} as written`,
        () => {
          // Each build from scratch: no output, no content-layer cache left by the previous snippet's build.
          for (const d of ['dist', '.astro', 'node_modules/.astro'])
            rmSync(join(site.dir, d), { recursive: true, force: true });
          write(site.dir, { 'astro.config.mjs': snippet.code });
          const r = astroBuild(site.dir);
          expect(r.status, r.log).toBe(0);
          expect(r.log).toMatch(/\[memtrace\] 1 block: /);
          const [figure, ...rest] = figures(readFileSync(join(site.dir, 'dist/index.html'), 'utf8'));
          expect(rest).toHaveLength(0);
          expect(figure?.steps, r.log.slice(-3000)).toBeGreaterThanOrEqual(4);
          expect(figure.svgs).toBe(figure.steps);
        },
        BUILD_TIMEOUT,
      );
    }
  }
});
