/**
 * A static site built from renderFigure's output, the way the Astro integration lays it out: pages under a `base`
 * path, the hashed client assets in one folder, several figures on one page, real tracer and real renderer.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escapeXml } from '../../plugin/src/figure/hast.ts';
import { figureAssets, htmlBytes, renderFigure, type RenderedFigure } from '../../plugin/src/figure/index.ts';
import { traceWithNotes } from '../../plugin/src/notes/index.ts';
import { render } from '../../plugin/src/render/index.ts';
import { traceInProcess } from '../../scripts/dev-run.ts';
import { windowFigure, type StepPages } from '../../plugin/src/figure/windows.ts';
import type { Trace } from '../../plugin/src/trace/format.ts';

export const BASE = '/sub/';
export const ASSETS_DIR = '_astro';
export const DEMO_PAGE = 'posts/demo/';
export const SWAP_PAGE = 'posts/swap/';
export const NOTES_PAGE = 'posts/notes/';

export const PROGRAMS = {
  alias: { title: 'Two names, one list', code: 'a = [1, 2, 3]\nb = a\nb.append(4)\nprint(a)\n' },
  square: {
    title: 'A call gets its own frame',
    code: 'def square(x):\n    y = x * x\n    return y\n\nn = square(3)\nm = square(n)\n',
  },
  late: { title: 'Swapped in later', code: 'x = 1\ny = x + 1\nz = y * 2\n' },
  narrated: {
    title: 'A loop, narrated',
    code:
      [
        '#: [step 1] Nothing has run yet.',
        'prices = [3, 5, 8]  #: `prices` names a *new* list.',
        'total = 0',
        'for p in prices:',
        '    #: [every] One more pass: `total` now counts `p` too, and this note is long enough to wrap onto a second line in a narrow column.',
        '    total = total + p',
        '#: [end] The loop is done; `p` still names the **last** item.',
      ].join('\n') + '\n',
  },
} as const;

async function trace(code: string): Promise<Trace> {
  // As the engine does: `#:` notes out of the program, traced, then put on their steps.
  const result = await traceWithNotes({ trace: traceInProcess }, code);
  if (!('trace' in result)) throw new Error(`fixture program failed: ${result.message}`);
  if (result.warnings.length)
    throw new Error(`fixture notes that show at no step: ${result.warnings.map((w) => w.message).join('; ')}`);
  return result.trace;
}

/** Drawn as the engine draws a figure: the page layout (code as HTML, shared parts), every id prefixed with the figure's own id. */
const draw = (t: Trace, title: string, id: string): Promise<RenderedFigure> =>
  render(t, { title, idPrefix: `${id}-`, layout: 'page' });

const page = (title: string, body: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<link rel="icon" href="data:,">
<style>
:root { color-scheme: light dark; --bg: #fdfdfc; --fg: #1d2228 }
@media (prefers-color-scheme: dark) { :root:not([data-theme=light]) { --bg: #15181c; --fg: #e4e7eb } }
:root[data-theme=dark] { color-scheme: dark; --bg: #15181c; --fg: #e4e7eb }
:root[data-theme=light] { color-scheme: light }
* { box-sizing: border-box }
body { margin: 0; background: var(--bg); color: var(--fg); font: 17px/1.6 system-ui, sans-serif }
main { max-width: 60rem; margin: 0 auto; padding: 0 1rem }
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;

export interface FixtureSite {
  root: string;
  base: string;
  /** Figure HTML kept for the swap test (a figure that arrives after the first page load). */
  lateFigure: string;
  ids: { alias: string; square: string; late: string; narrated: string };
}

export async function buildFixtureSite(): Promise<FixtureSite> {
  const root = mkdtempSync(join(tmpdir(), 'memtrace-e2e-'));
  const assets = figureAssets();
  const url = (name: string) => `${BASE}${ASSETS_DIR}/${name}`;
  const links = { script: url(assets.script), style: url(assets.style) };
  mkdirSync(join(root, ASSETS_DIR), { recursive: true });
  for (const f of assets.files) writeFileSync(join(root, ASSETS_DIR, f.fileName), f.source);

  const ids = { alias: 'mtalias', square: 'mtsquare', late: 'mtlate', narrated: 'mtnarrated' };
  const figure = async (key: keyof typeof PROGRAMS, firstOnPage: boolean) => {
    const { title, code } = PROGRAMS[key];
    const drawn = await draw(await trace(code), title, ids[key]);
    return htmlBytes(renderFigure(drawn, { id: ids[key], title, code, assets: links, firstOnPage }));
  };

  const filler = (n: number) =>
    Array.from({ length: n }, (_, i) => `<p>Paragraph ${i + 1} of prose around the figures.</p>`).join('\n');
  const demo = page(
    'Demo',
    `<h1>Two figures</h1>
<p>Jump to <a id="to-square-4" href="#${ids.square}-step-4">step 4 of the call</a>.</p>
${await figure('alias', true)}
<p id="after-alias">This paragraph must not move while the figure above steps.</p>
${filler(12)}
${await figure('square', false)}
<p id="after-square">The end.</p>
${filler(20)}`,
  );
  mkdirSync(join(root, DEMO_PAGE), { recursive: true });
  writeFileSync(join(root, DEMO_PAGE, 'index.html'), demo);

  // A page whose figure is inserted later, as Astro's view transitions swap in a new page's body.
  const lateFigure = await figure('late', true);
  mkdirSync(join(root, SWAP_PAGE), { recursive: true });
  writeFileSync(
    join(root, SWAP_PAGE, 'index.html'),
    page('Swap', `<h1>Before the swap</h1>\n${await figure('alias', true)}\n<div id="slot"></div>`),
  );
  // A narrated figure (notes on some steps, carried over the others), with prose after it that must not move.
  mkdirSync(join(root, NOTES_PAGE), { recursive: true });
  writeFileSync(
    join(root, NOTES_PAGE, 'index.html'),
    page(
      'Notes',
      `<h1>Narrated</h1>\n${await figure('narrated', true)}\n<p id="after-narrated">After the figure.</p>\n${filler(20)}`,
    ),
  );
  return { root, base: BASE, lateFigure, ids };
}

export const LONG_PAGE = 'posts/long/';

export interface LongFigureSite {
  root: string;
  base: string;
  /** The figure's id. */
  id: string;
  /** Its number of steps. */
  steps: number;
}

/**
 * A page with one figure of a loop that runs into the step cap, windowed as the Astro integration windows it: the
 * page inlines a window of the steps, and a step page (in the assets folder) holds them all.
 */
export async function buildLongFigureSite(): Promise<LongFigureSite> {
  const root = mkdtempSync(join(tmpdir(), 'memtrace-e2e-long-'));
  const assets = figureAssets();
  const url = (name: string) => `${BASE}${ASSETS_DIR}/${name}`;
  mkdirSync(join(root, ASSETS_DIR), { recursive: true });
  for (const f of assets.files) writeFileSync(join(root, ASSETS_DIR, f.fileName), f.source);
  const pages: StepPages = {
    url,
    add: (name, html) => writeFileSync(join(root, ASSETS_DIR, name), html),
    style: url(assets.style),
  };
  const id = 'mtlong';
  const title = 'A loop that never ends';
  const code = 'i = 0\nwhile True:\n    print("tick", i)\n    i += 1\n';
  const t = await trace(code);
  const drawn = await draw(t, title, id);
  const tree = renderFigure(drawn, {
    id,
    title,
    code,
    assets: { script: url(assets.script), style: pages.style },
    firstOnPage: true,
  });
  const figure = htmlBytes(windowFigure(tree, pages));
  mkdirSync(join(root, LONG_PAGE), { recursive: true });
  writeFileSync(join(root, LONG_PAGE, 'index.html'), page('Long', `<h1>A long figure</h1>\n${figure}\n<p>After.</p>`));
  return { root, base: BASE, id, steps: t.steps.length };
}
