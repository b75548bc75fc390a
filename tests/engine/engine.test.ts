/**
 * The engine's modes for hosts: placeholders filled in when a page is served (dev servers), errors collected for the
 * host to report once (Astro builds), and a block whose file changed before its trace began skipped as outdated.
 * Real Pyodide, satori and figure markup.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine, newDocument, type Block } from '../../plugin/src/engine/index.ts';
import { closeSharedRuntime } from '../../plugin/src/trace/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'mt-engine-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await closeSharedRuntime();
});

const quiet = { info() {}, warn() {}, error() {} };
/** A memtrace fence holding `code`, as Markdown writes it. */
const fence = (code: string) => '```python memtrace\n' + code + '```\n';
const block = (code: string, line = 3): Block => ({
  code,
  meta: 'memtrace',
  file: join(dir, 'post.md'),
  position: { line, column: 1 },
});

describe('slots', () => {
  it('gives a placeholder that fills in to the figure the engine gives without slots, on the same page', async () => {
    const code = 'a = [1, 2]\nb = a\n';
    const plain = createEngine({ logger: quiet });
    const slotted = createEngine({ logger: quiet, slots: true });
    const [docA, docB] = [newDocument(), newDocument()];
    // The same block twice on one page: the second figure gets an id of its own and no second copy of the assets.
    const expected = [(await plain.process(block(code), docA)).html, (await plain.process(block(code, 9), docA)).html];
    const slots = [(await slotted.process(block(code), docB)).html, (await slotted.process(block(code, 9), docB)).html];
    for (const s of slots) expect(s).toMatch(/^<memtrace-slot data-slot="[0-9a-f]+"><\/memtrace-slot>$/);
    expect(slotted.fillSlots(`<main>${slots.join('<p>text</p>')}</main>`)).toBe(
      `<main>${expected.join('<p>text</p>')}</main>`,
    );
    expect(expected[0]).not.toBe(expected[1]);
  });

  it('leaves a page without placeholders as it is', () => {
    const html = '<p>memtrace-slot is just a word here</p>';
    expect(createEngine({ slots: true }).fillSlots(html)).toBe(html);
  });
});

describe('collect mode', () => {
  it('shows an error panel, keeps the located error, and names the file relative to the root', async () => {
    const engine = createEngine({ logger: quiet, mode: 'collect', root: dir });
    const { html } = await engine.process(block('x = (1 +\n'));
    expect(html).toContain('memtrace-error');
    expect(engine.errors).toHaveLength(1);
    expect(engine.errors[0]!.location?.file).toBe('post.md');
    expect(engine.errors[0]!.hint).toMatch(/Fix the Python/);
  });
});

describe('dev mode', () => {
  /** A block of `file` as the parser saw the file when it held `code`, in its fence on line 3. */
  const saved = (file: string, code: string): Block => ({ ...block(code), file, source: fence(code) });

  it('skips the trace of a block whose file no longer holds it, and traces the current one', async () => {
    const file = join(dir, 'saved.md');
    writeFileSync(file, `# Post\n\n${fence('x = 2\n')}`);
    const engine = createEngine({ logger: quiet, mode: 'dev' });
    const old = await engine.process(saved(file, 'x = 1\n'));
    expect(old.html).toBe('');
    expect(engine.stats).toMatchObject({ outdated: 1, traced: 0 });
    const current = await engine.process(saved(file, 'x = 2\n'));
    expect(current.html).toContain('class="memtrace');
    expect(engine.stats).toMatchObject({ outdated: 1, traced: 1 });
  });
});
