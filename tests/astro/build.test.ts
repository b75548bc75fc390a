/**
 * Real `astro build`s of small fixture sites: Sätteri (Astro's default) and unified, .md and .mdx, errors that must
 * fail the build, the cache, and a `base` path.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const fixture = (name: string) => join(root, 'tests/fixtures/astro', name);

interface BuildResult {
  status: number | null;
  log: string;
  out: string;
  cache: string;
}

function build(
  name: string,
  env: Record<string, string> = {},
  dirs?: { out?: string; cache?: string; site?: string },
): BuildResult {
  const out = dirs?.out ?? mkdtempSync(join(tmpdir(), `mt-${name}-out-`));
  const cache = dirs?.cache ?? mkdtempSync(join(tmpdir(), `mt-${name}-cache-`));
  const r = spawnSync('npx', ['astro', 'build', '--root', dirs?.site ?? fixture(name)], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', FIXTURE_OUT_DIR: out, FIXTURE_CACHE_DIR: cache, ...env },
    timeout: 600_000,
  });
  return { status: r.status, log: `${r.stdout}\n${r.stderr}`, out, cache };
}

const read = (dir: string, page: string) => readFileSync(join(dir, page, 'index.html'), 'utf8');
/**
 * A page with its highlighted blocks' colours taken out. Shiki stops tokenizing a line after 500 ms and colours the
 * rest as one token, a limit a loaded machine reaches on a grammar's first use: two builds of one page may then colour
 * a block differently (seen: `const z = 1;` as one token). What memtrace must leave alone is each block, its element,
 * attributes and text; the colouring is Shiki's.
 */
const withoutColours = (html: string) =>
  html.replace(
    /(<pre class="astro-code[^>]*><code>)([\s\S]*?)(<\/code><\/pre>)/g,
    (_, open: string, code: string, close: string) =>
      open +
      code
        .split('<span class="line">')
        .map((l) => l.replace(/<[^>]+>/g, ''))
        .join('\n') +
      close,
  );
/** The highlighted code blocks of a page, which memtrace must leave as they were. */
const plainBlocks = (html: string): string[] =>
  withoutColours(html).match(/<pre class="astro-code[\s\S]*?<\/pre>/g) ?? [];

for (const processor of ['satteri', 'unified']) {
  describe(`${processor} processor`, () => {
    let withPlugin: BuildResult;
    let without: BuildResult;
    beforeAll(() => {
      withPlugin = build(processor);
      without = build(processor, { FIXTURE_DISABLE: '1' });
    });

    it('builds', () => {
      expect(withPlugin.status, withPlugin.log).toBe(0);
      expect(without.status, without.log).toBe(0);
    });

    for (const page of ['post', 'page']) {
      it(`replaces the memtrace block of ${page}.${page === 'post' ? 'md' : 'mdx'} with a figure of SVG steps`, () => {
        const html = read(withPlugin.out, page);
        expect(html).toMatch(/<figure[^>]*class="[^"]*memtrace/);
        expect((html.match(/<svg/g) ?? []).length).toBeGreaterThan(3);
        expect(html).not.toContain('language-python memtrace');
        // Carried through Astro as a placeholder (a static build's pages), filled in the written page.
        expect(html).not.toContain('memtrace-slot');
        // The program has a blank line: the whole figure must still be one HTML block, not cut into Markdown there.
        // (Sätteri keeps the character references; unified's hast turns them back into newlines.)
        expect(html).toMatch(/<pre class="memtrace-src"[^>]*>[^<]*(?:&#10;|\n){2}[^<]*<\/pre><\/details><\/figure>/);
      });

      it(`leaves every other code block of ${page} exactly as it is without the plugin`, () => {
        const mine = plainBlocks(read(withPlugin.out, page));
        const theirs = plainBlocks(read(without.out, page));
        // Without the plugin the memtrace block is a plain highlighted block too: one more than with it.
        expect(theirs.length).toBe(mine.length + 1);
        expect(mine.length).toBeGreaterThan(0);
        for (const block of mine) {
          const near = theirs.find((t) => t.slice(0, 60) === block.slice(0, 60)) ?? theirs[0]!;
          const at = [...block].findIndex((c, i) => c !== near[i]);
          expect(
            theirs.includes(block),
            `first difference: ${block.slice(Math.max(0, at - 150), at + 150)}\n----\n${near.slice(Math.max(0, at - 150), at + 150)}`,
          ).toBe(true);
        }
      });
    }
  });
}

describe('errors', () => {
  describe('a .md page and an .mdx page with a broken block each', () => {
    let r: BuildResult;
    beforeAll(() => {
      r = build('broken-page');
    });

    it('fails the build at the Markdown line and column of each, paths relative to the project', () => {
      expect(r.status).not.toBe(0);
      expect(r.log).toMatch(/^\s*src\/pages\/post\.md:12:1: SyntaxError/m);
      // Column 15: the end of `for n in names`, where Python expects the colon.
      expect(r.log).toMatch(/^\s*src\/pages\/typo\.mdx:11:15: SyntaxError: expected ':'/m);
      expect(r.log).toMatch(/2 memtrace blocks could not be turned into a figure/);
    });

    it('reads like an Astro user error: a hint, and no stack trace into memtrace or Astro', () => {
      // Astro colours the hint's heading when it thinks the terminal can show it (CI=true can make it so).
      const plain = r.log.replace(/\u001b\[[0-9;]*m/g, '');
      expect(plain).toMatch(/Hint:\s+Fix the Python in this block/);
      expect(r.log).not.toMatch(/Stack trace:/);
      expect(r.log).not.toMatch(/plugin\/dist\/|node_modules\/astro\/dist|hooks\.js/);
      // Vite does not stop at the MDX page with a location of its own.
      expect(r.log).not.toMatch(/typo\.mdx:0:0/);
    });
  });

  it('fails the build for a syntax error in a content collection entry, which Astro would swallow', () => {
    const r = build('broken');
    expect(r.status).not.toBe(0);
    expect(r.log).toMatch(/lesson\.md:12:1\b/);
  });

  it('fails again on the next build of a broken collection entry (its failed render is not kept), then recovers once it is fixed', () => {
    // Astro's content layer keeps rendered entries in its cache directory across builds.
    const cache = mkdtempSync(join(tmpdir(), 'mt-broken-again-cache-'));
    const site = join(root, 'tests/.tmp', `broken-again-${process.pid}`);
    cpSync(fixture('broken'), site, { recursive: true });
    try {
      for (const run of [1, 2]) {
        const r = build('broken', {}, { cache, site });
        expect(r.status, `build ${run}: ${r.log}`).not.toBe(0);
        expect(r.log, `build ${run}`).toMatch(/content\/lesson\.md:12:1: SyntaxError/);
      }
      const lesson = join(site, 'content/lesson.md');
      writeFileSync(lesson, readFileSync(lesson, 'utf8').replace('y = (2 +\ndef f(:', 'y = (2 +\n     3)\ndef f():'));
      const fixed = build('broken', {}, { cache, site });
      expect(fixed.status, fixed.log).toBe(0);
      const html = read(fixed.out, 'lesson');
      expect(html).toMatch(/<figure[^>]*class="[^"]*memtrace/);
      expect(html).not.toMatch(/memtrace-error/);
    } finally {
      rmSync(site, { recursive: true, force: true });
    }
  });
});

describe('cache', () => {
  it('does not trace again when no block changed, and traces only the changed block', () => {
    const cache = mkdtempSync(join(tmpdir(), 'mt-cache-'));
    const first = build('satteri', {}, { cache });
    expect(first.status, first.log).toBe(0);
    expect(first.log).toMatch(/2 blocks: 2 traced, 0 from cache/);
    // With nothing cached, Pyodide starts with the build, before any page asks for a block.
    const starts = /no figure cached yet: every block is traced; Pyodide starts now/;
    expect(first.log).toMatch(starts);
    expect(first.log.search(starts)).toBeLessThan(first.log.search(/Building static entrypoints/));
    const second = build('satteri', {}, { cache });
    expect(second.status, second.log).toBe(0);
    expect(second.log).toMatch(/0 traced/);
    // A build with a cache may need no trace at all: it starts Pyodide only for a block that does.
    expect(second.log).not.toMatch(starts);
    const [a, b] = [withoutColours(read(first.out, 'post')), withoutColours(read(second.out, 'post'))];
    const at = [...a].findIndex((c, i) => c !== b[i]);
    expect(at, `first difference: ${a.slice(at - 200, at + 200)}\n----\n${b.slice(at - 200, at + 200)}`).toBe(-1);
    expect(b).toBe(a);

    // Edit one block of a copy of the site: only that block is traced again.
    const copy = join(root, 'tests/.tmp', `satteri-edit-${process.pid}`);
    cpSync(fixture('satteri'), copy, { recursive: true });
    const post = join(copy, 'src/pages/post.md');
    writeFileSync(post, readFileSync(post, 'utf8').replace('x = [square(3)]', 'x = [square(4)]'));
    const thirdOut = mkdtempSync(join(tmpdir(), 'mt-edit-'));
    const third = spawnSync('npx', ['astro', 'build', '--root', copy], {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        ASTRO_TELEMETRY_DISABLED: '1',
        FIXTURE_OUT_DIR: thirdOut,
        FIXTURE_CACHE_DIR: cache,
      },
    });
    rmSync(copy, { recursive: true, force: true });
    expect(third.status, third.stderr).toBe(0);
    expect(third.stdout).toMatch(/2 blocks: 1 traced, 1 from cache/);
    // The page nobody edited is byte for byte what the cold build made, though its block now came from the cache
    // and the runtime traced another block in this build.
    expect(withoutColours(read(thirdOut, 'page'))).toBe(withoutColours(read(first.out, 'page')));
  });
});

describe('content collections', () => {
  it('keeps rendered entries across builds, and renders them again when memtrace or its defaults change', () => {
    const cache = mkdtempSync(join(tmpdir(), 'mt-collection-cache-'));
    const first = build('collection', {}, { cache });
    expect(first.status, first.log).toBe(0);
    expect(first.log).toMatch(/1 block: 1 traced/);
    const second = build('collection', {}, { cache });
    expect(second.status, second.log).toBe(0);
    // Astro's content layer served the entry from its store: memtrace was not even asked.
    expect(second.log).not.toMatch(/\d+ blocks?: /);
    const third = build('collection', { FIXTURE_START: '1' }, { cache });
    expect(third.status, third.log).toBe(0);
    expect(third.log).toMatch(/Clearing content store/);
    expect(read(third.out, 'lesson')).toMatch(/<li class="memtrace-step is-current"[^>]*id="[^"]*-step-3"/);
  });
});

describe('base path', () => {
  it('links the stepper assets under the base and emits them', () => {
    const r = build('satteri', { FIXTURE_BASE: '/docs/' });
    expect(r.status, r.log).toBe(0);
    const html = read(r.out, 'post');
    const urls = [...html.matchAll(/(?:src|href)="([^"]*memtrace[^"]*\.(?:js|css))"/g)].map((m) => m[1]!);
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) {
      expect(url.startsWith('/docs/')).toBe(true);
      expect(existsSync(join(r.out, url.slice('/docs/'.length)))).toBe(true);
    }
  });
});
