/**
 * The fixture harness, shared by the fixture tests and by scripts/render-fixtures.ts (which regenerates them).
 *
 * A case is a folder tests/fixtures/render/<case>/ holding program.py, trace.json (what the tracer gives for it),
 * expected/ (what the renderer draws from trace.json: NN.svg per step, text.txt, figure.json) and optionally
 * options.json: { "trace": TraceOptions, "render": RenderOptions }.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FONT_FILES,
  THEME_CSS,
  type RenderedFigure,
  type RenderedStep,
  type RenderOptions,
} from '../../plugin/src/render/index.ts';
import { toHtml } from 'hast-util-to-html';
import { h } from 'hastscript';
import type { Browser } from 'playwright-core';
import { attachNotesToJson, noteToHast, parseNotes, warningLine } from '../../plugin/src/notes/index.ts';
import type { Trace, TraceOptions } from '../../plugin/src/trace/format.ts';

/** The folder of the renderer's fixture cases. */
export const FIXTURES = join(import.meta.dirname, '../fixtures/render');

/** A case's options.json. */
export interface CaseOptions {
  trace?: TraceOptions;
  render?: RenderOptions;
}

/** A case's options (none when it has no options.json). */
export function caseOptions(dir: string): CaseOptions {
  const p = join(dir, 'options.json');
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as CaseOptions) : {};
}

/** The render options a fixture is rendered with (the id prefix is fixed so that expected output is stable). */
export const fixtureRenderOptions = (dir: string): RenderOptions => ({ idPrefix: 'mtfx-', ...caseOptions(dir).render });

/** What figure.json records of a step: where it is, and the note it shows (if any). */
export const stepSummary = (s: RenderedStep) => ({ index: s.index, line: s.line, ...(s.note ? { note: s.note } : {}) });

/** Writes a case's expected/ from its rendered figure. */
export function writeExpected(dir: string, fig: RenderedFigure): void {
  const out = join(dir, 'expected');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out);
  fig.steps.forEach((s, i) => writeFileSync(join(out, `${String(i + 1).padStart(2, '0')}.svg`), s.svg + '\n'));
  writeFileSync(join(out, 'text.txt'), fig.steps.map((s) => s.text).join('\n\n----\n\n') + '\n');
  writeFileSync(
    join(out, 'figure.json'),
    JSON.stringify({ width: fig.width, height: fig.height, steps: fig.steps.map(stepSummary) }) + '\n',
  );
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
.n{max-width:40rem;margin:4px;padding-left:8px;border-left:3px solid var(--memtrace-accent);font:13px/1.5 sans-serif}
.n.c{opacity:.6;border-left-color:var(--memtrace-border)}
</style></head><body>${fig.shared ? `<svg width="0" height="0" style="position:absolute"><defs>${fig.shared}</defs></svg>` : ''}<div class="grid">${fig.steps.map((s) => `<div class="s">${s.svg}${noteHtml(s)}</div>`).join('')}</div></body></html>`;
}

/** A step's note under its SVG in the preview (a carried one dimmed), as the page figure shows it. */
function noteHtml(s: RenderedStep): string {
  return s.note ? toHtml(h('p', { class: s.note.carried ? 'n c' : 'n' }, noteToHast(s.note.markdown))) : '';
}

/**
 * Chromium, as the browser tests and the screenshots run it (tests/e2e/browser.ts), loaded on first use: the
 * fixture test and `render-fixtures --no-trace` need no browser.
 */
export const launchChromium = async (): Promise<Browser> => (await import('../e2e/browser.ts')).launch();

/** Screenshots each page (full height) to its path. */
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

/** Every case folder that has a program. */
export const fixtureCases = (): string[] =>
  readdirSync(FIXTURES)
    .filter((c) => existsSync(join(FIXTURES, c, 'program.py')))
    .sort();

/** A case's checked-in trace. */
export const fixtureTrace = (c: string): Trace =>
  JSON.parse(readFileSync(join(FIXTURES, c, 'trace.json'), 'utf8')) as Trace;

/** The text of a trace.json: the tracer's JSON with one final newline. */
export const traceFileText = (json: string): string => (json.endsWith('\n') ? json : json + '\n');

/**
 * A case's program traced as a page traces it: its `#:` notes taken out first and put on the steps they explain.
 * A note that would show at no step fails, so that a fixture's notes are all drawn.
 */
export async function narratedTraceJson(
  code: string,
  options: TraceOptions,
  traceJson: (code: string, options: TraceOptions) => Promise<string>,
): Promise<string> {
  const program = parseNotes(code);
  const json = await traceJson(program.code, options);
  if ('failure' in JSON.parse(json)) return json;
  const { json: narrated, warnings } = attachNotesToJson(json, program);
  if (warnings.length)
    throw new Error(`notes that show at no step:\n${warnings.map((w) => warningLine('program.py', w)).join('\n')}`);
  return narrated;
}
