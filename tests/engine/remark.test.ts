/**
 * The unified adapter in a plain remark → rehype pipeline (no Astro): figures as real hast, untouched code blocks,
 * errors located through vfile, warnings for a cut trace. Real Pyodide, satori and figure markup.
 */
import rehypeStringify from 'rehype-stringify';
import remarkParse from 'remark-parse';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';
import { VFile } from 'vfile';
import { VFileMessage } from 'vfile-message';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../plugin/src/engine/index.ts';
import remarkMemtrace from '../../plugin/src/adapters/remark.ts';
import { closeSharedRuntime } from '../../plugin/src/trace/index.ts';

const warnings: string[] = [];
const engine = createEngine({ logger: { info() {}, warn: (m) => warnings.push(m), error() {} } });
const pipeline = (withPlugin: boolean) => {
  const p = unified().use(remarkParse);
  if (withPlugin) p.use(remarkMemtrace, { engine });
  return p.use(remarkRehype).use(rehypeStringify);
};
const run = async (markdown: string, withPlugin = true) =>
  String(await pipeline(withPlugin).process(new VFile({ value: markdown, path: '/site/post.md' })));

afterAll(() => closeSharedRuntime());

const doc = [
  '# Title',
  '',
  '```python memtrace title="Alias"',
  'a = [1, 2]',
  'b = a',
  '```',
  '',
  '```python',
  'plain = True',
  '```',
  '',
  '```py memtrace',
  'x = 1',
  '```',
  '',
].join('\n');

describe('remark-memtrace in a plain unified pipeline', () => {
  it('replaces memtrace blocks with figures, without allowDangerousHtml', async () => {
    const html = await run(doc);
    expect((html.match(/<figure class="memtrace/g) ?? []).length).toBe(2);
    expect(html).toMatch(/<figcaption[^>]*>Alias<\/figcaption>/);
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(4);
    // Every diagram is drawn in the page, none left out as raw markup the pipeline would drop.
    const diagrams = [...html.matchAll(/<svg class="mt-x"[\s\S]*?<\/svg>/g)].map((m) => m[0]);
    expect(diagrams.length).toBeGreaterThanOrEqual(2);
    for (const svg of diagrams) expect(svg).toMatch(/<rect[^>]*>[\s\S]*<text/);
    // The first figure of the page brings the stepper and its style inline; the second does not repeat them.
    expect((html.match(/<script type="module">/g) ?? []).length).toBe(1);
  });

  it('leaves every other code block exactly as the pipeline alone renders it', async () => {
    const plain = (await run(doc, false)).match(/<pre><code[\s\S]*?<\/pre>/g)!;
    const mine = (await run(doc)).match(/<pre><code[\s\S]*?<\/pre>/g)!;
    expect(plain).toHaveLength(3);
    expect(mine).toEqual(plain.filter((block) => block.includes('plain = True')));
  });

  it('fails with the file, line and column of a syntax error, through vfile', async () => {
    const bad = 'Intro\n\n```python memtrace\nx = 1\ny = (2 +\ndef f(:\n```\n';
    const error = await run(bad).catch((e) => e);
    expect(error).toBeInstanceOf(VFileMessage);
    expect(error.source).toBe('memtrace');
    expect(error.file).toBe('/site/post.md');
    expect(error.line).toBe(6);
    expect(error.column).toBe(1);
    expect(error.reason).toMatch(/SyntaxError/);
    expect(error.reason).toMatch(/> 6 \| def f\(:/);
  });

  it('names an unknown option and lists the valid ones, at the fence', async () => {
    const error = await run('\n```python memtrace colour=red\nx = 1\n```\n').catch((e) => e);
    expect(error.line).toBe(2);
    expect(error.reason).toMatch(/Unknown memtrace option `colour`.*`title`/);
  });

  it('shows an exception raised by the program in the figure instead of failing', async () => {
    const html = await run('```python memtrace\n1 / 0\n```\n');
    expect(html).toMatch(/ZeroDivisionError/);
  });

  it('gives each figure its own ids without touching the program text', async () => {
    const html = await run(
      '```python memtrace\ns = "mtPREFIX-id"\n```\n\n```python memtrace\ns = "mtPREFIX-id"\n```\n',
    );
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(html).toContain('mtPREFIX-id');
    expect(html).not.toMatch(/id="mtPREFIX-/);
  });

  it('warns with the file and line when a trace is cut at the step cap', async () => {
    warnings.length = 0;
    const html = await run('\n\n```python memtrace max-steps=5\nwhile True:\n    pass\n```\n');
    expect(html).toContain('<figure class="memtrace');
    expect(html).toMatch(/<p class="memtrace-note" role="note">Stopped after 5 steps/);
    expect(warnings.join('\n')).toMatch(/\/site\/post\.md:3:1: .*stopped this program after 5 steps/);
  });
});
