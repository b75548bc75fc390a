/**
 * memtrace in a real Starlight site (examples/starlight): a real `astro build`, then real Chromium. Starlight brings
 * its own Markdown plugins, Expressive Code and a theme picker that writes `data-theme` on <html>; the figures must
 * be rendered in .md and .mdx pages, leave ordinary code blocks to Expressive Code, and follow the picker.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, luminance, open, screenshot } from '../e2e/browser.ts';
import { serveStatic, type StaticServer } from '../e2e/server.ts';

const root = resolve(import.meta.dirname, '../..');
const out = mkdtempSync(join(tmpdir(), 'mt-starlight-out-'));
const cache = mkdtempSync(join(tmpdir(), 'mt-starlight-cache-'));

const build = spawnSync('npx', ['astro', 'build', '--root', join(root, 'examples/starlight')], {
  cwd: root,
  encoding: 'utf8',
  env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1', FIXTURE_OUT_DIR: out, FIXTURE_CACHE_DIR: cache },
  timeout: 300_000,
});
const log = `${build.stdout}\n${build.stderr}`;
const page = (path: string) => readFileSync(join(out, path, 'index.html'), 'utf8');

/** The outer HTML of each memtrace figure of a page. */
const figures = (html: string) => html.match(/<figure class="memtrace[ "][\s\S]*?<\/figure>/g) ?? [];

describe('astro build of the Starlight example', () => {
  it('succeeds', () => {
    expect(build.status, log).toBe(0);
    // Astro colours its log when the terminal allows it (as CI does): compare the text only.
    expect(log.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/\[memtrace\] 2 blocks: 2 traced, 0 from cache/);
  });

  for (const [path, file] of [
    ['guides/aliasing', 'aliasing.md'],
    ['guides/recursion', 'recursion.mdx'],
  ] as const) {
    it(`replaces the memtrace block of ${file} with a figure of SVG steps`, () => {
      const html = page(path);
      const [figure, ...rest] = figures(html);
      expect(rest).toHaveLength(0);
      // Seen once, in a full local run: the page built with no content at all. Say what there was, and the log.
      const text = html
        .slice(html.indexOf('<main'))
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .slice(0, 300);
      expect(
        figure,
        `no figure in ${file}; page text: ${text}\nbuild log:\n${log.replace(/\x1b\[[0-9;]*m/g, '').slice(-3000)}`,
      ).toBeDefined();
      const steps = figure!.match(/<li class="memtrace-step[^"]*"/g) ?? [];
      // One side-by-side diagram per step (a stacked one too, where that is narrower, which shows on phones).
      const svgs = (figure!.match(/<svg [^>]*>/g) ?? []).filter((t) => t.includes('role="img"') && t.includes('mt-x'));
      expect(steps.length).toBeGreaterThan(3);
      expect(svgs.length).toBe(steps.length);
      expect(html).not.toMatch(/memtrace title=/);
      expect(html).not.toContain('language-python memtrace');
    });
  }

  it('leaves the ordinary python block to Expressive Code', () => {
    const html = page('guides/aliasing');
    const blocks = html.match(/<div class="expressive-code">[\s\S]*?<\/pre>/g) ?? [];
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toContain('data-language="python"');
    expect(blocks[0]).toContain('a copy: a second list');
  });

  it('links the stepper assets once per page and emits them', () => {
    const html = page('guides/aliasing');
    const urls = [...html.matchAll(/(?:src|href)="(\/_astro\/memtrace\.[^"]+)"/g)].map((m) => m[1]!);
    expect(urls.filter((u) => u.endsWith('.js'))).toHaveLength(1);
    expect(urls.filter((u) => u.endsWith('.css'))).toHaveLength(1);
    for (const url of urls) expect(existsSync(join(out, url))).toBe(true);
    // A page without a figure loads nothing of memtrace.
    expect(readFileSync(join(out, 'index.html'), 'utf8')).not.toMatch(/_astro\/memtrace\./);
  });
});

/** Colours the reader sees in the figure's current step, from the real cascade. */
async function figureColours(p: Page) {
  return p.evaluate(() => {
    const svg = document.querySelector('figure.memtrace .memtrace-step.is-current svg.mt-x')!;
    const background = getComputedStyle(svg.querySelector(':scope > rect')!).fill;
    // The main text colour (code, names, values), not the first text found, which may be a grey label.
    // Drawn once in the figure's shared definitions when steps or arrangements share it.
    const text = getComputedStyle(document.querySelector('figure.memtrace g[fill^="var(--memtrace-fg"] text')!).fill;
    const rgb = (c: string) =>
      c
        .match(/\d+(\.\d+)?/g)!
        .slice(0, 3)
        .map(Number);
    const lum = ([r, g, b]: number[]) => {
      const lin = (v: number) => ((v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!);
    };
    // The code panel (HTML beside the diagram): a colour only memtrace's theme sets (the example site maps the
    // figure background onto its own).
    const panel = getComputedStyle(
      document.querySelector('figure.memtrace .memtrace-step.is-current .mt-src')!,
    ).backgroundColor;
    const page = getComputedStyle(document.body).backgroundColor;
    return {
      theme: document.documentElement.dataset.theme,
      background,
      text,
      backgroundLum: lum(rgb(background)),
      textLum: lum(rgb(text)),
      panelLum: lum(rgb(panel)),
      pageLum: lum(rgb(page)),
    };
  });
}

describe('the Starlight example in Chromium', () => {
  let browser: Browser;
  let server: StaticServer;
  const problems: string[] = [];

  beforeAll(async () => {
    if (build.status !== 0) throw new Error(`the Starlight example did not build:\n${log}`);
    server = await serveStatic(out);
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("follows Starlight's theme picker, both ways, without a reload", async () => {
    const { page: p } = await open(browser, server.url + 'guides/aliasing/', { colorScheme: 'light' }, problems);
    const picker = p.locator('starlight-theme-select select').locator('visible=true').first();
    const figure = p.locator('figure.memtrace');
    await figure.scrollIntoViewIfNeeded();
    // The last step has the picture worth looking at: two names, two arrows, one list.
    await figure.locator('[data-go=last]').click();

    await picker.selectOption('light');
    const light = await figureColours(p);
    expect(light.theme).toBe('light');
    expect(light.backgroundLum).toBeGreaterThan(0.8);
    expect(light.textLum).toBeLessThan(0.1);
    expect(light.panelLum).toBeGreaterThan(0.8);
    const lightSeen = await luminance(p, figure.locator('.memtrace-step.is-current svg.mt-x'));
    await screenshot(p, 'starlight-light');

    await picker.selectOption('dark');
    const dark = await figureColours(p);
    expect(dark.theme).toBe('dark');
    expect(dark.backgroundLum).toBeLessThan(0.05);
    expect(dark.textLum).toBeGreaterThan(0.6);
    expect(dark.panelLum).toBeLessThan(0.05);
    // The figure sits on Starlight's own dark page, not in a white box.
    expect(dark.pageLum).toBeLessThan(0.05);
    const darkSeen = await luminance(p, figure.locator('.memtrace-step.is-current svg.mt-x'));
    await screenshot(p, 'starlight-dark');
    expect(darkSeen).toBeLessThan(lightSeen / 4);

    await picker.selectOption('light');
    expect(await figureColours(p)).toEqual(light);
    expect(problems).toEqual([]);
    await p.context().close();
  });

  it('follows a dark system setting under the picker\'s "auto", and data-theme set by hand', async () => {
    const { page: p } = await open(browser, server.url + 'guides/recursion/', { colorScheme: 'dark' }, problems);
    const auto = await figureColours(p);
    expect(auto.theme).toBe('dark');
    expect(auto.backgroundLum).toBeLessThan(0.05);
    expect(auto.panelLum).toBeLessThan(0.05);
    expect(auto.textLum).toBeGreaterThan(0.6);
    // A site without Starlight's script, or a test, may set the attribute directly: light wins over the dark system.
    await p.evaluate(() => (document.documentElement.dataset.theme = 'light'));
    const light = await figureColours(p);
    expect(light.panelLum).toBeGreaterThan(0.8);
    expect(light.textLum).toBeLessThan(0.1);
    expect(problems).toEqual([]);
    await p.context().close();
  });

  it("keeps Starlight's content styles out of the figure", async () => {
    // Starlight spaces every block in its content (`* + *` gets a top margin) and styles <details>; inside a
    // figure that would stagger the controls and frame the text versions.
    const { page: p } = await open(browser, server.url + 'guides/aliasing/', {}, problems);
    const layout = await p.evaluate(() => {
      const figure = document.querySelector('figure.memtrace')!;
      // The buttons and the slider (the step counter has a row of its own below them).
      const controls = [...figure.querySelectorAll('.memtrace-controls > :not(.memtrace-status)')];
      return {
        tops: controls.map((e) => Math.round(e.getBoundingClientRect().top)),
        detailsBorder: [...figure.querySelectorAll('details')].map((d) => getComputedStyle(d).borderLeftWidth),
      };
    });
    expect(layout.tops.length).toBe(5);
    expect(new Set(layout.tops).size, `control tops: ${layout.tops}`).toBe(1);
    for (const width of layout.detailsBorder) expect(width).toBe('0px');
    await p.context().close();
  });

  it('draws no text over other text, in any step of either figure', async () => {
    for (const path of ['guides/aliasing/', 'guides/recursion/']) {
      const { page: p } = await open(browser, server.url + path, {}, problems);
      const overlaps = await p.evaluate(() => {
        const found: string[] = [];
        document.querySelectorAll('figure.memtrace .memtrace-step').forEach((step, k) => {
          (step as HTMLElement).style.display = 'block';
          const boxes = [...step.querySelectorAll('svg text')].map((t) => {
            const b = (t as SVGTextElement).getBBox();
            return { s: t.textContent ?? '', x0: b.x, x1: b.x + b.width, y0: b.y, y1: b.y + b.height };
          });
          for (let i = 0; i < boxes.length; i++) {
            for (let j = i + 1; j < boxes.length; j++) {
              const a = boxes[i]!;
              const b = boxes[j]!;
              // A pixel of slack: glyph boxes of neighbouring runs may touch.
              if (Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0) > 1 && Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0) > 1) {
                found.push(`step ${k + 1}: "${a.s}" / "${b.s}"`);
              }
            }
          }
        });
        return found;
      });
      expect(overlaps, path).toEqual([]);
      await p.context().close();
    }
  });

  it('steps through the figure inside a Starlight page', async () => {
    const { page: p } = await open(browser, server.url + 'guides/aliasing/', {}, problems);
    const figure = p.locator('figure.memtrace');
    const status = figure.locator('[data-mt=status]');
    await expect.poll(() => figure.getAttribute('data-memtrace')).toBe('ready');
    const total = await figure.locator('.memtrace-step').count();
    await expect.poll(() => status.textContent()).toMatch(new RegExp(`^Step 1 of ${total}, line 1$`));
    await figure.locator('[data-go=next]').click();
    await expect.poll(() => status.textContent()).toMatch(new RegExp(`^Step 2 of ${total}, line \\d+$`));
    await figure.press('End');
    await expect.poll(() => status.textContent()).toMatch(new RegExp(`^Step ${total} of ${total}, line \\d+$`));
    expect(await figure.locator('.memtrace-step:visible').count()).toBe(1);
    expect(problems).toEqual([]);
    expect(server.missing).toEqual([]);
    await p.context().close();
  });
});
