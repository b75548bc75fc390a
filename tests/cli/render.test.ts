/** `memtrace render`: one SVG per step and a standalone page, through the built CLI (`npx memtrace`). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const memtrace = (...args: string[]) =>
  spawnSync('npx', ['memtrace', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });

describe('memtrace render', () => {
  it('writes one SVG per step and an index.html that carries the stepper', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mt-render-'));
    const program = join(dir, 'alias.py');
    writeFileSync(program, 'a = [1, 2]\nb = a\nb.append(3)\nprint(a)\n');
    const out = join(dir, 'out');
    const r = memtrace('render', program, '--out', out, '--title', 'Two names <one list>');
    expect(r.status, r.stderr).toBe(0);
    const svgs = readdirSync(out)
      .filter((f) => f.endsWith('.svg'))
      .sort();
    const trace = JSON.parse(memtrace('trace', program).stdout) as { steps: unknown[] };
    expect(svgs.length).toBe(trace.steps.length);
    expect(svgs[0]).toBe('step-1.svg');
    for (const f of svgs) expect(readFileSync(join(out, f), 'utf8')).toMatch(/^<svg[^>]*role="img"/);
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).toContain('<title>Two names &lt;one list&gt; · memtrace</title>');
    expect(html).toMatch(/<script type="module">[\s\S]{200,}?<\/script>/);
    expect(html).not.toMatch(/<script[^>]*src=/);
    const css = html.match(/href="(memtrace\.[0-9a-f]{8}\.css)"/)![1]!;
    expect(readdirSync(out)).toContain(css);
    // The page arranges itself: one side-by-side diagram per step (this one fits a phone, so no stacked one).
    expect((html.match(/<svg[^>]* class="mt-x"/g) ?? []).length).toBe(svgs.length);
    expect((html.match(/<span class="mt-l[ "]/g) ?? []).length).toBe(4 * svgs.length);
    // The stacked SVGs: narrower than the side-by-side ones, and taller.
    const narrow = join(dir, 'narrow');
    expect(memtrace('render', program, '--out', narrow, '--layout', 'narrow').status).toBe(0);
    const size = (file: string) =>
      readFileSync(file, 'utf8')
        .match(/^<svg[^>]* width="(\d+)" height="(\d+)"/)!
        .slice(1)
        .map(Number);
    const [w, h] = size(join(out, 'step-1.svg'));
    const [nw, nh] = size(join(narrow, 'step-1.svg'));
    expect(nw).toBeLessThan(w!);
    expect(nh).toBeGreaterThan(h!);
  });

  it('fails with one located line for a syntax error, and on bad usage', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mt-render-'));
    const program = join(dir, 'bad.py');
    writeFileSync(program, 'x = (1,\n');
    const r = memtrace('render', program, '--out', join(dir, 'out'));
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/bad\.py:1:\d+: /);
    expect(memtrace('render', program).status).toBe(2);
    const sideways = memtrace('render', program, '--out', join(dir, 'out'), '--layout', 'sideways');
    expect(sideways.status).toBe(2);
    expect(sideways.stderr).toContain('--layout must be wide or narrow');
  });
});
