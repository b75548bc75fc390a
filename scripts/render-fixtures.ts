/**
 * Regenerates the renderer's fixtures: for each tests/fixtures/render/<case>/program.py, traces it with the real
 * tracer (trace.json, a checked-in input), renders it (expected/), and with --png also screenshots every step in
 * Chromium (light and dark) to /tmp/memtrace-render-png/<case>-{light,dark}.png, to LOOK at before accepting.
 *
 *   npx node scripts/render-fixtures.ts [--png] [--no-trace] [case ...]
 *
 * options.json (optional) in a case: { "trace": TraceOptions, "render": RenderOptions, "augment": {...} }.
 * `augment` adds by hand, per step index, what the tracer does not record yet (freed, cycleOnly, and the heap entries
 * of cycle-only objects): { "5": { "cycleOnly": [2, 3], "heap": { "2": {...} } } }. Heap entries merge; other keys
 * replace. It is applied to the traced JSON before it is written, so trace.json is exactly what is rendered.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { render, type RenderedFigure, type RenderOptions } from '../plugin/src/render/index.ts';
import { FONT_FILES, THEME_CSS } from '../plugin/src/render/index.ts';
import { THEME_CSS_DOCUMENTED } from '../plugin/src/render/theme.ts';
import type { Step, Trace, TraceOptions } from '../plugin/src/trace/format.ts';

export const FIXTURES = join(import.meta.dirname, '../tests/fixtures/render');
const PNG_DIR = '/tmp/memtrace-render-png';

interface CaseOptions {
  trace?: TraceOptions;
  render?: RenderOptions;
  augment?: Record<string, Partial<Step>>;
}

function augment(trace: Trace, patches: Record<string, Partial<Step>>): Trace {
  const steps = trace.steps.map((s, i) => {
    const p = patches[String(i)];
    if (!p) return s;
    const heap = { ...s.heap, ...(p.heap ?? {}) };
    const sorted = Object.fromEntries(Object.entries(heap).sort(([a], [b]) => Number(a) - Number(b)));
    return { ...s, ...p, heap: sorted };
  });
  return { ...trace, steps };
}

export function caseOptions(dir: string): CaseOptions {
  const p = join(dir, 'options.json');
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as CaseOptions) : {};
}

/** The render options a fixture is rendered with (the id prefix is fixed so that expected output is stable). */
export const fixtureRenderOptions = (dir: string): RenderOptions => ({ idPrefix: 'mtfx-', ...caseOptions(dir).render });

export function writeExpected(dir: string, fig: RenderedFigure): void {
  const out = join(dir, 'expected');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out);
  fig.steps.forEach((s, i) => writeFileSync(join(out, `${String(i + 1).padStart(2, '0')}.svg`), s.svg + '\n'));
  writeFileSync(join(out, 'text.txt'), fig.steps.map((s) => s.text).join('\n\n----\n\n') + '\n');
  writeFileSync(join(out, 'figure.json'), JSON.stringify({ width: fig.width, height: fig.height, steps: fig.steps.map((s) => ({ index: s.index, line: s.line })) }) + '\n');
}

/** An HTML page showing every step of a figure with the theme CSS and the font, as a site would. */
export function previewPage(fig: RenderedFigure, theme: 'light' | 'dark', columns = 2): string {
  const font = readFileSync(FONT_FILES.woff2).toString('base64');
  return `<!doctype html><html data-theme="${theme}"><head><meta charset="utf-8"><style>
@font-face{font-family:'DejaVu Mono';src:url(data:font/woff2;base64,${font}) format('woff2')}
${THEME_CSS}
body{margin:0;background:var(--memtrace-bg);color:var(--memtrace-fg);font:12px sans-serif}
.grid{display:grid;grid-template-columns:repeat(${columns},max-content);gap:6px;padding:6px}
.s{border:1px dashed #888}
.s svg text{white-space:pre}
</style></head><body>${fig.shared ? `<svg width="0" height="0" style="position:absolute"><defs>${fig.shared}</defs></svg>` : ''}<div class="grid">${fig.steps.map((s) => `<div class="s">${s.svg}</div>`).join('')}</div></body></html>`;
}

export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: process.env.MEMTRACE_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function screenshot(pages: { html: string; path: string }[]): Promise<void> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
    for (const p of pages) {
      await page.setContent(p.html);
      await page.evaluate(() => document.fonts.ready);
      await page.screenshot({ path: p.path, fullPage: true });
    }
  } finally {
    await browser.close();
  }
}

async function main() {
  const args = process.argv.slice(2);
  const png = args.includes('--png');
  const retrace = !args.includes('--no-trace');
  const only = args.filter((a) => !a.startsWith('--'));
  // theme.css is the documented copy of THEME_CSS, for sites that link it rather than inline it.
  writeFileSync(join(import.meta.dirname, '../plugin/src/render/theme.css'), THEME_CSS_DOCUMENTED);
  const cases = readdirSync(FIXTURES).filter((c) => existsSync(join(FIXTURES, c, 'program.py')) && (only.length === 0 || only.includes(c)));
  const { traceJsonInProcess } = retrace ? await import('./dev-run.ts') : { traceJsonInProcess: undefined };
  const pages: { html: string; path: string }[] = [];
  for (const c of cases) {
    const dir = join(FIXTURES, c);
    if (traceJsonInProcess) {
      const opts = caseOptions(dir);
      let json = await traceJsonInProcess(readFileSync(join(dir, 'program.py'), 'utf8'), opts.trace ?? {});
      if ('failure' in JSON.parse(json)) throw new Error(`${c}: the tracer failed: ${json}`);
      if (opts.augment) json = JSON.stringify(augment(JSON.parse(json) as Trace, opts.augment));
      writeFileSync(join(dir, 'trace.json'), json.endsWith('\n') ? json : json + '\n');
    }
    const trace = JSON.parse(readFileSync(join(dir, 'trace.json'), 'utf8')) as Trace;
    const fig = await render(trace, fixtureRenderOptions(dir));
    writeExpected(dir, fig);
    console.log(`${c}: ${fig.steps.length} steps, ${fig.width}x${fig.height}`);
    if (png) {
      mkdirSync(PNG_DIR, { recursive: true });
      const cols = fig.width > 900 ? 1 : 2;
      pages.push({ html: previewPage(fig, 'light', cols), path: join(PNG_DIR, `${c}-light.png`) });
      pages.push({ html: previewPage(fig, 'dark', cols), path: join(PNG_DIR, `${c}-dark.png`) });
    }
  }
  if (pages.length) {
    await screenshot(pages);
    console.log(`PNGs in ${PNG_DIR}`);
  }
}

if (import.meta.main) await main();
