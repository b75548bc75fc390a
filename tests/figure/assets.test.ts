import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { PALETTE } from '../../plugin/src/render/theme.ts';
import {
  FONT_FAMILY,
  assetFileNames,
  assetSizes,
  clientAssets,
  figureAssets,
  fontFace,
} from '../../plugin/src/figure/index.ts';

const require = createRequire(import.meta.url);
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
    expect(emitted.files.map((f) => f.fileName).sort()).toEqual(
      [a.js, a.css, ...a.fonts].map((f) => f.fileName).sort(),
    );
    expect(Object.fromEntries(emitted.files.map((f) => [f.fileName.split('.').pop(), f.contentType]))).toEqual({
      js: 'text/javascript; charset=utf-8',
      css: 'text/css; charset=utf-8',
      woff2: 'font/woff2',
    });
  });

  it('comes minified with the built package, the same as minified on the spot, from src/ and from dist/', async () => {
    const { minifiedAssets } = await import('../../plugin/src/figure/assets.ts');
    const fresh = minifiedAssets({ prebuilt: false });
    const built = JSON.parse(
      readFileSync(new URL('../../plugin/dist/figure/client-assets.json', import.meta.url), 'utf8'),
    );
    expect(built).toEqual(fresh);
    // What the figures link is the prebuilt file's.
    expect([a.js.source, a.css.source]).toEqual([built.js, built.css]);
    expect(fresh.js.length).toBeLessThan(
      readFileSync(new URL('../../plugin/src/client/stepper.ts', import.meta.url), 'utf8').length / 2,
    );
    // The built package's module gives the same.
    const dist = await import('../../plugin/dist/figure/assets.js' as string);
    expect(dist.minifiedAssets()).toEqual(built);
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
    expect(faces).toHaveLength(1);
    expect(faces[0]).toMatch(new RegExp(`font-family:"?${FONT_FAMILY}"?;`));
    // Every colour of the renderer's palette, light and dark, is in the one stylesheet.
    const long = (hex: string) =>
      (hex.length === 4 ? '#' + [...hex.slice(1)].map((d) => d + d).join('') : hex).toLowerCase();
    for (const c of Object.values(PALETTE)) {
      const values = [...a.css.source.matchAll(new RegExp(`${c.name}:\\s*(#[0-9a-fA-F]+)`, 'g'))].map((m) =>
        long(m[1]),
      );
      // The figure background is left to the page (transparent) in both modes.
      expect(new Set(values)).toEqual('sheet' in c ? new Set() : new Set([c.light, c.dark]));
      if ('sheet' in c) expect(a.css.source.split(new RegExp(`${c.name}:\\s*${c.sheet}[;}]`)).length - 1).toBe(3);
    }
  });

  it('emits the very font files of @fontsource/dejavu-mono', () => {
    const files = fontFace().fonts;
    expect(files.map((f) => f.fileName)).toEqual(a.fonts.map((f) => f.fileName));
    const original = readFileSync(require.resolve('@fontsource/dejavu-mono/files/dejavu-mono-latin-400-normal.woff2'));
    expect(files).toHaveLength(1);
    expect(Buffer.from(files[0].source).equals(original)).toBe(true);
  });

  it('measures what a reader downloads', () => {
    const sizes = assetSizes();
    expect(sizes.js).toEqual({
      fileName: a.js.fileName,
      bytes: Buffer.byteLength(a.js.source),
      gzip: gzipSync(a.js.source, { level: 9 }).length,
    });
    expect(sizes.css.bytes).toBe(Buffer.byteLength(a.css.source));
    expect(sizes.css.gzip).toBeLessThan(sizes.css.bytes);
    expect(sizes.fonts.map((f) => f.bytes)).toEqual(a.fonts.map((f) => f.source.length));
  });
});
