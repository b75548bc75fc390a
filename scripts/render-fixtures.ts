/**
 * Regenerates the renderer's fixtures: for each tests/fixtures/render/<case>/program.py, traces it with the real
 * tracer (trace.json), renders it (expected/), and with --png also screenshots every step in Chromium (light and
 * dark) to /tmp/memtrace-render-png/<case>-{light,dark}.png, to LOOK at before accepting. tests/render/fixtures.test.ts
 * checks both halves: tracing program.py gives trace.json, rendering trace.json gives expected/.
 *
 *   npx node scripts/render-fixtures.ts [--png] [--no-trace] [case ...]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from '../plugin/src/render/index.ts';
import { THEME_CSS_DOCUMENTED } from '../plugin/src/render/theme.ts';
import {
  caseOptions,
  fixtureCases,
  narratedTraceJson,
  fixtureRenderOptions,
  fixtureTrace,
  FIXTURES,
  previewPage,
  screenshot,
  traceFileText,
  writeExpected,
} from '../tests/render/fixture-harness.ts';

const PNG_DIR = '/tmp/memtrace-render-png';

async function main() {
  const args = process.argv.slice(2);
  const png = args.includes('--png');
  const retrace = !args.includes('--no-trace');
  const only = args.filter((a) => !a.startsWith('--'));
  // theme.css is the documented copy of THEME_CSS, for sites that link it rather than inline it.
  writeFileSync(join(import.meta.dirname, '../plugin/src/render/theme.css'), THEME_CSS_DOCUMENTED);
  const cases = fixtureCases().filter((c) => only.length === 0 || only.includes(c));
  const { traceJsonInProcess } = retrace ? await import('./dev-run.ts') : { traceJsonInProcess: undefined };
  const pages: { html: string; path: string }[] = [];
  for (const c of cases) {
    const dir = join(FIXTURES, c);
    if (traceJsonInProcess) {
      const json = await narratedTraceJson(
        readFileSync(join(dir, 'program.py'), 'utf8'),
        caseOptions(dir).trace ?? {},
        traceJsonInProcess,
      );
      if ('failure' in JSON.parse(json)) throw new Error(`${c}: the tracer failed: ${json}`);
      writeFileSync(join(dir, 'trace.json'), traceFileText(json));
    }
    const fig = await render(fixtureTrace(c), fixtureRenderOptions(dir));
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

await main();
