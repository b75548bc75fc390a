/**
 * Readability of the built site's figures in Chromium: per window width, the median and 5th percentile of the size
 * at which figure text reaches the eye, how many figures pan inside their box, and whether any page scrolls sideways.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch } from '../tests/e2e/browser.ts';
import { measureReadability, quantile, WIDTHS } from '../tests/e2e/readability.ts';
import { serveStatic } from '../tests/e2e/server.ts';
import type { Row } from './lib.ts';

/** Site-relative paths (with trailing slash) of the built pages that hold a figure. */
export function figurePages(site: string): string[] {
  return readdirSync(site, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('index.html') && readFileSync(join(site, f), 'utf8').includes('<figure class="memtrace'))
    .map((f) => f.replace(/index\.html$/, ''))
    .sort();
}

/** Measures every figure page of `site` at every width; one row per width and measure. */
export async function readabilityRows(site: string): Promise<Row[]> {
  const server = await serveStatic(site);
  const browser = await launch();
  const rows: Row[] = [];
  try {
    const pages = figurePages(site);
    for (const width of WIDTHS) {
      const context = await browser.newContext({ viewport: { width, height: 900 } });
      const page = await context.newPage();
      const sizes: number[] = [];
      let figures = 0;
      let panning = 0;
      let bands = 0;
      let overflowing = 0;
      for (const path of pages) {
        await page.goto(server.url + path, { waitUntil: 'load' });
        await page.evaluate(() => document.fonts.ready.then(() => undefined));
        const r = await measureReadability(page);
        sizes.push(...r.sizes);
        figures += r.figures.length;
        panning += new Set([...r.panning, ...r.bands]).size;
        bands += r.bands.filter((id) => !r.panning.includes(id)).length;
        if (r.pageOverflow) overflowing++;
      }
      await context.close();
      const phone = width < 600;
      const [p50, p5] = [quantile(sizes, 0.5), quantile(sizes, 0.05)];
      const section = `readability at ${width} px`;
      rows.push(
        {
          section,
          metric: 'figure text, median',
          value: p50,
          unit: 'px',
          target: phone ? '≥ 12' : '≥ 13',
          ok: p50 >= (phone ? 12 : 13),
        },
        {
          section,
          metric: 'figure text, 5th percentile',
          value: p5,
          unit: 'px',
          target: phone ? '≥ 10' : '≥ 11',
          ok: p5 >= (phone ? 10 : 11),
        },
        {
          section,
          metric: `figures that pan (of ${figures})`,
          value: panning,
          unit: '',
          ...(width === 360 ? { target: '≤ 1 in 10', ok: panning * 10 <= figures } : {}),
        },
        { section, metric: '… of which only a structure, in its own box', value: bands, unit: '' },
        {
          section,
          metric: `pages that scroll sideways (of ${pages.length})`,
          value: overflowing,
          unit: '',
          target: '0',
          ok: overflowing === 0,
        },
      );
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return rows;
}
