/**
 * The static files a page with a figure needs: the stepper module, the stylesheet (the renderer's theme variables,
 * the font's @font-face and the figure CSS) and the font files the diagrams were laid out with. Names carry a
 * content hash so hosts may cache them forever. The integration emits them all into ONE folder: the stylesheet
 * points at the fonts by bare relative file name, which keeps working under any `base`.
 *
 * Built once per process from the package's own sources, so the result is the same whether this module runs from
 * src/ (tests) or dist/ (the published package, which ships src/ too).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire, stripTypeScriptTypes } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { FONT_FAMILY, FONT_FILES } from '../render/font.ts';
import { THEME_CSS } from '../render/theme.ts';

export interface StaticAsset {
  /** Content-hashed file name, e.g. `memtrace.1a2b3c4d.js`. */
  fileName: string;
  source: string | Uint8Array;
  contentType: string;
}

export interface ClientAssets {
  js: StaticAsset & { source: string };
  css: StaticAsset & { source: string };
  fonts: (StaticAsset & { source: Uint8Array })[];
  /** Everything to emit, into one folder. */
  all: StaticAsset[];
}

export { FONT_FAMILY };

const require = createRequire(import.meta.url);

/**
 * A package source file, looked up next to this module (src/, or dist/ for the copied stylesheets) or in the
 * workspace's src/ (from dist/). Undefined in the installed package, which ships no TypeScript.
 */
function source(rel: string): string | undefined {
  for (const base of ['../', '../../src/']) {
    const path = fileURLToPath(new URL(base + rel, import.meta.url));
    if (existsSync(path)) return readFileSync(path, 'utf8');
  }
  return undefined;
}

function required(rel: string): string {
  const text = source(rel);
  if (text === undefined) throw new Error(`memtrace: ${rel} is missing from the package`);
  return text;
}

type Esbuild = typeof import('esbuild');
let esbuild: Esbuild | null | undefined;
/** esbuild builds the package (a devDependency); when the sources changed since, without it the assets are still correct, only larger. */
function minifier(): Esbuild | null {
  if (esbuild === undefined) {
    try {
      esbuild = require('esbuild') as Esbuild;
    } catch {
      esbuild = null;
    }
  }
  return esbuild;
}

function minifyJs(ts: string): string {
  const e = minifier();
  if (e)
    return e.transformSync(ts, { loader: 'ts', minify: true, format: 'esm', target: 'es2020', legalComments: 'none' })
      .code;
  return stripTypeScriptTypes(ts);
}

function minifyCss(css: string): string {
  const e = minifier();
  return e ? e.transformSync(css, { loader: 'css', minify: true, legalComments: 'none' }).code : css;
}

const hash8 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex').slice(0, 8);

/** The font file the renderer laid the diagrams out with, and the @font-face rule that loads it under its family name. */
export function fontFace(): { css: string; fonts: (StaticAsset & { source: Uint8Array })[] } {
  const data = new Uint8Array(readFileSync(FONT_FILES.woff2));
  const fileName = `dejavu-mono-400.${hash8(data)}.woff2`;
  const css = `@font-face{font-family:"${FONT_FAMILY}";font-style:normal;font-weight:400;font-display:swap;src:url(${fileName}) format("woff2")}`;
  return { css, fonts: [{ fileName, source: data, contentType: 'font/woff2' }] };
}

let built: ClientAssets | undefined;
let inline: { js: string; css: string } | undefined;

/** The renderer owns the colours; its theme goes into the same file so the page makes one request. */
const figureCss = () => THEME_CSS + '\n' + required('client/memtrace.css');

/** The minified script and stylesheets (linked, with @font-face; inline, without), and what they were made from. */
export interface Minified {
  key: string;
  js: string;
  css: string;
  inlineCss: string;
}

const PREBUILT = new URL('./client-assets.json', import.meta.url);

/**
 * Minifying starts esbuild's service, about 70 ms of every build: the package build (plugin/scripts/copy-assets.ts)
 * does it once and leaves the result next to this module, which is used while its key matches the sources
 * (`prebuilt: false` minifies on the spot all the same).
 */
export function minifiedAssets(options: { prebuilt?: boolean } = {}): Minified {
  const pre =
    options.prebuilt !== false && existsSync(PREBUILT)
      ? (JSON.parse(readFileSync(PREBUILT, 'utf8')) as Minified)
      : undefined;
  const stepper = source('client/stepper.ts');
  // The installed package: no TypeScript and no esbuild, the files minified when it was built.
  if (stepper === undefined) {
    if (pre) return pre;
    throw new Error('memtrace: figure/client-assets.json is missing from the package');
  }
  const figure = figureCss();
  const font = fontFace().css;
  // The key is the sources only, so the prebuilt files serve whether or not esbuild resolves at run time.
  const key = createHash('sha256')
    .update(JSON.stringify([stepper, figure, font]))
    .digest('hex');
  if (pre?.key === key) return pre;
  return { key, js: minifyJs(stepper), css: minifyCss(font + '\n' + figure), inlineCss: minifyCss(figure) };
}

export function clientAssets(): ClientAssets {
  if (built) return built;
  const m = minifiedAssets();
  const { js, css } = m;
  const font = fontFace();
  const jsAsset = { fileName: `memtrace.${hash8(js)}.js`, source: js, contentType: 'text/javascript; charset=utf-8' };
  const cssAsset = { fileName: `memtrace.${hash8(css)}.css`, source: css, contentType: 'text/css; charset=utf-8' };
  built = { js: jsAsset, css: cssAsset, fonts: font.fonts, all: [jsAsset, cssAsset, ...font.fonts] };
  return built;
}

/**
 * The script and style text for pipelines that serve no extra files (they are inlined once per document). Without
 * the font files the stylesheet has no @font-face: text falls back to an installed DejaVu Sans Mono or monospace.
 */
export function inlineAssets(): { js: string; css: string } {
  if (!inline) inline = { js: clientAssets().js.source, css: minifiedAssets().inlineCss };
  return inline;
}

/** What the Astro integration emits: file names to build URLs from, and every file, all into one folder. */
export function figureAssets(): { script: string; style: string; files: StaticAsset[] } {
  const a = clientAssets();
  return { script: a.js.fileName, style: a.css.fileName, files: a.all };
}

export function assetFileNames(): { js: string; css: string; fonts: string[] } {
  const a = clientAssets();
  return { js: a.js.fileName, css: a.css.fileName, fonts: a.fonts.map((f) => f.fileName) };
}

export interface AssetSize {
  fileName: string;
  bytes: number;
  /** gzip -9, the size a reader downloads from a host that compresses. */
  gzip: number;
}

/** For `npm run bench`: what a page with a figure costs on top of its HTML (fonts are only fetched when used). */
export function assetSizes(): { js: AssetSize; css: AssetSize; fonts: AssetSize[] } {
  const size = (a: StaticAsset): AssetSize => {
    const bytes = typeof a.source === 'string' ? Buffer.from(a.source) : a.source;
    return { fileName: a.fileName, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  };
  const a = clientAssets();
  return { js: size(a.js), css: size(a.css), fonts: a.fonts.map(size) };
}
