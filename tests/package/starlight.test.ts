/**
 * The packed tarball in a fresh Starlight site outside the workspace: the Starlight config snippets of the README and
 * the getting-started page, exactly as written, with Starlight's content collection and one docs page, then
 * `astro build`.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { astroBuild, DOCS, figures, freshProject, pack, PAGE_MD, snippets, write } from './helpers.ts';

const tarball = pack();
const site = freshProject('starlight', tarball.file, ['astro', '@astrojs/starlight']);
console.log(`fresh Starlight site: npm install of the tarball took ${(site.install.ms / 1000).toFixed(1)} s`);
write(site.dir, {
  'src/content.config.ts': [
    "import { defineCollection } from 'astro:content';",
    "import { docsLoader } from '@astrojs/starlight/loaders';",
    "import { docsSchema } from '@astrojs/starlight/schema';",
    '',
    'export const collections = { docs: defineCollection({ loader: docsLoader(), schema: docsSchema() }) };',
    '',
  ].join('\n'),
  'src/content/docs/index.md': PAGE_MD.replace('# Aliasing\n', '---\ntitle: Aliasing\n---\n'),
});

describe('memtrace in a fresh Starlight site, from the packed tarball', () => {
  const found = DOCS.flatMap((doc) =>
    snippets(doc)
      .filter((s) => s.lang === 'js' && s.code.startsWith('// astro.config.mjs') && s.code.includes("from '@astrojs/starlight'"))
      .map((s) => ({ doc, ...s })),
  );
  it('the docs have a Starlight config snippet', () => expect(found.length).toBeGreaterThan(0));
  for (const snippet of found) {
    it(`builds with the config snippet of ${snippet.doc}:${snippet.line} as written`, () => {
      rmSync(join(site.dir, 'dist'), { recursive: true, force: true });
      write(site.dir, { 'astro.config.mjs': snippet.code });
      const r = astroBuild(site.dir);
      expect(r.status, r.log).toBe(0);
      const html = readFileSync(join(site.dir, 'dist/index.html'), 'utf8');
      const [figure, ...rest] = figures(html);
      expect(rest).toHaveLength(0);
      expect(figure?.steps, r.log.slice(-3000)).toBeGreaterThanOrEqual(4);
      expect(figure.svgs).toBe(figure.steps);
      // Starlight's own page around it.
      expect(html).toContain('data-theme');
    });
  }
});
