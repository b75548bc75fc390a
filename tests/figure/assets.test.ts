import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FONT_FAMILY, assetFileNames, assetSizes, clientAssets, figureAssets, fontFace } from '../../plugin/src/figure/index.ts';

const require = createRequire(import.meta.url);
const root = resolve(import.meta.dirname, '../..');
const sha8 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex').slice(0, 8);

describe('client assets', () => {
  const a = clientAssets();

  it('names every file by a hash of its content', () => {
    expect(a.js.fileName).toBe(`memtrace.${sha8(a.js.source)}.js`);
    expect(a.css.fileName).toBe(`memtrace.${sha8(a.css.source)}.css`);
    for (const f of a.fonts) expect(f.fileName).toMatch(new RegExp(`^dejavu-mono-\\d00\\.${sha8(f.source)}\\.woff2$`));
    expect(assetFileNames()).toEqual({ js: a.js.fileName, css: a.css.fileName, fonts: a.fonts.map((f) => f.fileName) });
    const emitted = figureAssets();
    expect([emitted.script, emitted.style]).toEqual([a.js.fileName, a.css.fileName]);
    expect(emitted.files.map((f) => f.fileName).sort()).toEqual([a.js, a.css, ...a.fonts].map((f) => f.fileName).sort());
    expect(Object.fromEntries(emitted.files.map((f) => [f.fileName.split('.').pop(), f.contentType]))).toEqual({
      js: 'text/javascript; charset=utf-8',
      css: 'text/css; charset=utf-8',
      woff2: 'font/woff2',
    });
  });

  it('ships the stepper as one module with no imports, within 1.5 KB gzipped', () => {
    expect(a.js.source).not.toMatch(/(^|[;}\s])(import|export)\b/);
    expect(a.js.source).not.toMatch(/\bimport\s*\(/);
    // Minified: no comment survives and the source's long names are gone.
    expect(a.js.source).not.toMatch(/\/\*|\/\/ /);
    expect(gzipSync(a.js.source, { level: 9 }).length).toBeLessThanOrEqual(1536);
    expect(a.js.source).toContain('astro:page-load');
  });

  it('ships the CSS within 2 KB gzipped, with the renderer theme and relative font URLs only', () => {
    expect(gzipSync(a.css.source, { level: 9 }).length).toBeLessThanOrEqual(2048);
    const urls = [...a.css.source.matchAll(/url\(\s*["']?([^"')]+)/g)].map((m) => m[1]);
    expect(urls.sort()).toEqual(a.fonts.map((f) => f.fileName).sort());
    const faces = a.css.source.match(/@font-face\{[^}]*\}/g) ?? [];
    expect(faces).toHaveLength(2);
    for (const face of faces) expect(face).toMatch(new RegExp(`font-family:"?${FONT_FAMILY}"?`));
    const theme = resolve(root, 'plugin/src/render/theme.css');
    if (existsSync(theme)) {
      const names = new Set(readFileSync(theme, 'utf8').match(/--memtrace-[\w-]+(?=\s*:)/g));
      expect(names.size).toBeGreaterThan(0);
      for (const name of names) expect(a.css.source).toContain(`${name}:`);
    }
  });

  it('emits the very font files of @fontsource/dejavu-mono', () => {
    const files = fontFace().fonts;
    expect(files.map((f) => f.fileName)).toEqual(a.fonts.map((f) => f.fileName));
    for (const [i, weight] of [400, 700].entries()) {
      const original = readFileSync(require.resolve(`@fontsource/dejavu-mono/files/dejavu-mono-latin-${weight}-normal.woff2`));
      expect(Buffer.from(files[i].source).equals(original)).toBe(true);
    }
  });

  it('measures what a reader downloads', () => {
    const sizes = assetSizes();
    expect(sizes.js).toEqual({ fileName: a.js.fileName, bytes: Buffer.byteLength(a.js.source), gzip: gzipSync(a.js.source, { level: 9 }).length });
    expect(sizes.css.bytes).toBe(Buffer.byteLength(a.css.source));
    expect(sizes.css.gzip).toBeLessThan(sizes.css.bytes);
    expect(sizes.fonts.map((f) => f.bytes)).toEqual(a.fonts.map((f) => f.source.length));
  });
});
