/**
 * Placed figures kept beside the figure cache (engine/placed.ts): a second build of the same pages gives the same
 * HTML and the same step pages without reading a figure's trees, a figure placed elsewhere on a page is placed anew,
 * and a host that asks for the tree still gets the figure's. Real Pyodide, satori and figure markup.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, newDocument, type Block } from '../../plugin/src/engine/index.ts';
import { htmlBytes } from '../../plugin/src/figure/hast.ts';
import type { StepPages } from '../../plugin/src/figure/windows.ts';
import { closeSharedRuntime } from '../../plugin/src/trace/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'mt-placed-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeSharedRuntime();
});

const quiet = { info() {}, warn() {}, error() {} };
const block = (code: string, line = 3): Block => ({
  code,
  meta: 'memtrace',
  file: join(dir, 'post.md'),
  position: { line, column: 1 },
});
/** Runs past the step window of figure/windows.ts, so the figure links a step page. */
const long = 'total = 0\nfor i in range(60):\n    total += i\n';
const short = 'a = [1, 2]\nb = a\n';

/** A host that writes step pages, as the Astro integration does; `files` says whether it takes them as files. */
function host(files: boolean) {
  const pages = new Map<string, string>();
  const stepPages: StepPages = {
    url: (f) => `/_astro/${f}`,
    style: '/_astro/memtrace.css',
    add: (f, html) => pages.set(f, new TextDecoder().decode(html)),
    ...(files ? { addFile: (f: string, path: string) => pages.set(f, readFileSync(path, 'utf8')) } : {}),
  };
  return { pages, stepPages };
}

/** One page with the long block, then the short one twice. */
async function buildPage(cacheDir: string, files: boolean) {
  const { pages, stepPages } = host(files);
  const engine = createEngine({ logger: quiet, cacheDir, stepPages, assets: { script: '/s.js', style: '/s.css' } });
  const doc = newDocument();
  const results = [];
  for (const [code, line] of [
    [long, 3],
    [short, 9],
    [short, 15],
  ] as const)
    results.push(await engine.process(block(code, line), doc));
  return { results, pages, stats: engine.stats };
}

describe('placed figures', () => {
  it('give a warm build the cold build’s HTML and step pages, without the figure cache', async () => {
    const cacheDir = join(dir, 'cache');
    const cold = await buildPage(cacheDir, true);
    expect(cold.stats.traced).toBe(2);
    expect(cold.pages.size).toBe(1);
    // Without the figure entries, only the placed figures can answer.
    for (const sub of readdirSync(cacheDir))
      if (/^[0-9a-f]{2}$/.test(sub)) rmSync(join(cacheDir, sub), { recursive: true });
    for (const files of [true, false]) {
      const warm = await buildPage(cacheDir, files);
      expect(warm.stats).toMatchObject({ traced: 0, cached: 3 });
      expect(warm.results.map((r) => r.html)).toEqual(cold.results.map((r) => r.html));
      expect([...warm.pages]).toEqual([...cold.pages]);
    }
    // The same short block twice on the page: two places, two figures.
    expect(cold.results[1]!.html).not.toBe(cold.results[2]!.html);
  });

  it('places a figure anew where its place on the page differs, and gives the tree of the HTML', async () => {
    const cacheDir = join(dir, 'cache2');
    await buildPage(cacheDir, true);
    const { stepPages } = host(true);
    const engine = createEngine({ logger: quiet, cacheDir, stepPages, assets: { script: '/s.js', style: '/s.css' } });
    // First on its page now: it brings the assets, which its placement as the page's second figure did not.
    const first = await engine.process(block(short, 9), newDocument());
    expect(engine.stats.traced).toBe(0);
    expect(first.html).toContain('/s.js');
    const again = createEngine({ logger: quiet, cacheDir, stepPages, assets: { script: '/s.js', style: '/s.css' } });
    const warm = await again.process(block(short, 9), newDocument());
    expect(htmlBytes(warm.tree)).toBe(warm.html);
    expect(existsSync(join(cacheDir, 'placed'))).toBe(true);
  });

  it('gives the blocks a host picks as placeholders, filled from the placed figures once the pages are written', async () => {
    const cacheDir = join(dir, 'cache3');
    const expected = (await buildPage(cacheDir, true)).results.map((r) => r.html);
    for (const warm of [false, true]) {
      if (!warm) rmSync(cacheDir, { recursive: true, force: true });
      const { stepPages } = host(true);
      const engine = createEngine({
        logger: quiet,
        cacheDir,
        stepPages,
        assets: { script: '/s.js', style: '/s.css' },
        slots: (b) => b.code === short,
      });
      const doc = newDocument();
      const html: string[] = [];
      for (const [code, line] of [
        [long, 3],
        [short, 9],
        [short, 15],
      ] as const)
        html.push((await engine.process(block(code, line), doc)).html);
      expect(html[0]).toBe(expected[0]);
      for (const h of html.slice(1)) expect(h).toMatch(/^<memtrace-slot data-slot="[0-9a-f]+"><\/memtrace-slot>$/);
      expect(engine.fillSlots(html.join('\n'))).toBe(expected.join('\n'));
    }
  });
});
