/**
 * The packed tarball in a plain unified script: a fresh project outside the workspace installs it with the pipeline's
 * packages, then runs each unified snippet of the README and the getting-started page exactly as written.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT, DOCS, figures, freshProject, pack, PAGE_MD, run, snippets, write } from './helpers.ts';

const tarball = pack();
const project = freshProject('unified', tarball.file, ['unified', 'remark-parse', 'remark-rehype', 'rehype-stringify']);
console.log(`unified project: npm install of the tarball took ${(project.install.ms / 1000).toFixed(1)} s`);

describe('memtrace/remark from the packed tarball', () => {
  it("installs without asking to run anyone's install script", () => {
    expect(project.install.log).not.toMatch(/install-scripts|esbuild/);
    const installed = JSON.parse(readFileSync(join(project.dir, 'node_modules/memtrace/package.json'), 'utf8'));
    expect(installed.version).toBe(
      JSON.parse(readFileSync(new URL('../../plugin/package.json', import.meta.url), 'utf8')).version,
    );
  });

  for (const doc of DOCS) {
    const found = snippets(doc).filter((s) => s.lang === 'js' && s.code.includes("from 'memtrace/remark'"));
    it(`${doc} has a unified snippet`, () => expect(found.length).toBeGreaterThan(0));
    for (const snippet of found) {
      it(
        `runs the unified snippet of ${doc}:${snippet.line} as written`,
        () => {
          // The snippets read post.md and name their file in their first line, e.g. `// render.mjs: …`.
          const file = /^\/\/ (\S+\.mjs)\b/.exec(snippet.code)?.[1];
          expect(file, 'the snippet names its file in its first line').toBeDefined();
          write(project.dir, { 'post.md': PAGE_MD, [file!]: snippet.code });
          const r = run(process.execPath, [file!], project.dir, 300_000);
          expect(r.status, r.log).toBe(0);
          const [figure, ...rest] = figures(r.log);
          expect(rest).toHaveLength(0);
          expect(figure.steps, r.log.slice(0, 2000)).toBeGreaterThanOrEqual(4);
          expect(figure.svgs).toBe(figure.steps);
          expect(r.log).toContain('Two names, one list');
        },
        BUILD_TIMEOUT,
      );
    }
  }
});
