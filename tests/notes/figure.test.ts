/**
 * Notes in the drawn figure, from a real trace with notes (the notes-loop fixture): under each step of a page figure
 * as HTML (carried ones marked), in each step's text version, and as the `<desc>` of an SVG that stands alone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { htmlBytes, renderFigure } from '../../plugin/src/figure/index.ts';
import { render } from '../../plugin/src/render/index.ts';
import type { Trace } from '../../plugin/src/trace/format.ts';
import { FIXTURES } from '../render/fixture-harness.ts';

const trace = JSON.parse(readFileSync(join(FIXTURES, 'notes-loop/trace.json'), 'utf8')) as Trace;
const own = trace.steps.flatMap((s, i) => (s.note === undefined ? [] : [i]));

/** The `<li>` of each step in a figure's HTML. */
const items = (html: string) => html.split('<li ').slice(1);

describe('a narrated figure', () => {
  it('has notes on some steps of its trace, and steps without', () => {
    expect(own.length).toBeGreaterThan(2);
    expect(own.length).toBeLessThan(trace.steps.length - 2);
    expect(own[0]).toBe(0);
  });

  it('shows each step its own note, or the last one carried, under the diagram and before the text version', async () => {
    const fig = await render(trace, { idPrefix: 'nf-', shared: true });
    const html = htmlBytes(renderFigure(fig, { id: 'nf', code: trace.code }));
    const li = items(html);
    expect(li).toHaveLength(trace.steps.length);
    li.forEach((item, i) => {
      const [, cls, hidden] = /<p class="(memtrace-narration[^"]*)"( hidden)?>/.exec(item) ?? [];
      expect(cls, `step ${i + 1}`).toBe(own.includes(i) ? 'memtrace-narration' : 'memtrace-narration is-carried');
      // Carried notes are hidden but while stepping: a list of every step, even unstyled, shows each note once.
      expect(hidden !== undefined, `step ${i + 1}`).toBe(!own.includes(i));
      expect(item.indexOf('class="memtrace-view"')).toBeLessThan(item.indexOf('memtrace-narration'));
      expect(item.indexOf('memtrace-narration')).toBeLessThan(item.indexOf('class="memtrace-text"'));
    });
    // Inline Markdown as HTML: `prices` is a code span in the program's note.
    expect(li[1]).toContain('<code>prices</code> names a new list of three numbers.');
    // A page shows the note beside the SVG: no <desc> to read twice.
    expect(html).not.toContain('<desc');
  });

  it('lists the note in the text version of its own step only', async () => {
    const fig = await render(trace, { idPrefix: 'nf-', shared: true });
    fig.steps.forEach((s, i) => {
      const line = s.text.split('\n')[1]!;
      if (own.includes(i))
        expect(line).toBe(
          `Note: ${trace.steps[i]!.note!.replace(/[`*]/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')}`,
        );
      else expect(s.text).not.toContain('Note:');
    });
  });

  it('describes a standalone SVG by its own note', async () => {
    const fig = await render(trace, { idPrefix: 'nf-' });
    fig.steps.forEach((s, i) => {
      const desc = /<desc id="(nf-desc\d+)">([^<]*)<\/desc>/.exec(s.svg);
      expect(desc !== null, `step ${i + 1}`).toBe(own.includes(i));
      if (desc) expect(s.svg).toContain(`aria-describedby="${desc[1]}"`);
    });
  });

  it("writes a note's markup as text, never as HTML", async () => {
    const steps = trace.steps.map((s, i) => (i === 1 ? { ...s, note: '<b>bold</b> & [x](javascript:alert(1))' } : s));
    const fig = await render({ ...trace, steps }, { idPrefix: 'nf-', shared: true });
    const html = htmlBytes(renderFigure(fig, { id: 'nf' }));
    const item = items(html)[1]!;
    expect(item).not.toContain('<b>');
    expect(item).not.toContain('javascript:');
    expect(item).toContain('&lt;b&gt;bold&lt;/b&gt; &amp; x');
  });
});
