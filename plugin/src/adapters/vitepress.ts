/**
 * memtrace for VitePress: a Vite plugin (`vite: { plugins: [memtrace()] }` in `.vitepress/config`). markdown-it
 * renders synchronously, so the figures are made before it runs: a `pre` transform replaces each memtrace fence of a
 * `.md` page with its figure, on one line (markdown-it ends raw HTML at a blank line) and under `v-pre` (Vue's
 * template compiler must leave `{{ }}` and directives in a program's text alone). A `post` transform makes each page
 * with a figure import the stylesheet and the client module, which Vite hashes and bundles with that page. The dev
 * server gets the same figures on hot update: VitePress renders a saved page from its text, which this plugin
 * rewrites first.
 */
import { join } from 'node:path';
import type { Element, ElementContent, Root } from 'hast';
import { htmlBytes } from '../figure/hast.ts';
import {
  createEngine,
  isMemtraceBlock,
  MemtraceError,
  newDocument,
  type BlockOptions,
  type Engine,
} from '../engine/index.ts';
import { besideAdapters, writeClientStyle } from './client-files.ts';
import { findFences } from './fences.ts';

export interface MemtraceVitePressOptions {
  /** Defaults for every block (camelCase), e.g. `{ start: 'last' }`. A fence's options win. */
  defaults?: BlockOptions;
  /** Cache figures on disk in VitePress' cache folder (default true). */
  cache?: boolean;
}

interface ViteLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}
interface ViteConfig {
  command: 'build' | 'serve';
  cacheDir: string;
  logger: ViteLogger;
}
interface HotContext {
  file: string;
  read(): string | Promise<string>;
}

/** Vite bundles the stylesheet and the stepper: the asset tags the engine puts before a page's first figure go. */
const ASSET_TAGS = new Set(['link', 'script', 'style']);

/**
 * The figure HTML as one inert line: Vue compiles none of it, markdown-it keeps it as one HTML block, and `vp-raw`
 * lets sites that isolate VitePress' content styles (`postcssIsolateStyles`) keep them out of the figure.
 */
function inert(tree: Root): string {
  const children = tree.children.filter((n) => !(n.type === 'element' && ASSET_TAGS.has(n.tagName)));
  const wrapper: Element = {
    type: 'element',
    tagName: 'div',
    properties: { className: ['vp-raw'], 'v-pre': '' },
    children: children as ElementContent[],
  };
  // A newline as a character reference is still a newline in text and attribute values (no raw-text element here).
  return htmlBytes({ type: 'root', children: [wrapper] }).replaceAll('\n', '&#10;');
}

/** The page's Markdown with each memtrace fence replaced by its figure (same line count), or undefined if it has none. */
async function withFigures(engine: Engine, markdown: string, file: string): Promise<string | undefined> {
  const fences = findFences(markdown).filter((f) => isMemtraceBlock(f.lang, f.meta));
  if (fences.length === 0) return undefined;
  const lines = markdown.split('\n');
  const doc = newDocument();
  for (const f of fences) {
    const position = { line: f.open + 1, column: f.indent.length + 1 };
    const { tree } = await engine.process({ code: f.code, meta: f.meta, file, position }, doc);
    // Blank lines where the fence's other lines were keep every later line where the author wrote it.
    lines.splice(f.open, f.close - f.open + 1, f.indent + inert(tree), ...Array<string>(f.close - f.open).fill(''));
  }
  return lines.join('\n');
}

export default function memtrace(options: MemtraceVitePressOptions = {}) {
  let engine: Engine | undefined;
  let style = '';
  const withFigure = new Set<string>();
  const isPage = (id: string) => id.endsWith('.md') && !id.includes('?');

  const pre = {
    name: 'memtrace:figures',
    enforce: 'pre' as const,
    configResolved(config: ViteConfig) {
      // VitePress runs a client and a server build with the same plugins: one engine for both.
      if (engine) return;
      const dir = join(config.cacheDir, 'memtrace');
      const logger: ViteLogger = {
        info: (m) => config.logger.info(`[memtrace] ${m}`),
        warn: (m) => config.logger.warn(`[memtrace] ${m}`),
        error: (m) => config.logger.error(`[memtrace] ${m}`),
      };
      style = writeClientStyle(join(dir, 'client'));
      engine = createEngine({
        defaults: options.defaults,
        cacheDir: options.cache === false ? false : join(dir, 'figures'),
        mode: config.command === 'serve' ? 'dev' : 'build',
        logger,
      });
    },
    async transform(this: { error(e: unknown): never }, code: string, id: string) {
      if (!engine || !isPage(id)) return undefined;
      try {
        const out = await withFigures(engine, code, id);
        if (out === undefined) withFigure.delete(id);
        else withFigure.add(id);
        return out === undefined ? undefined : { code: out, map: null };
      } catch (error) {
        if (!(error instanceof MemtraceError)) throw error;
        return this.error({
          message: error.message,
          id,
          loc: error.location && { file: id, line: error.location.line, column: error.location.column },
        });
      }
    },
    async handleHotUpdate(ctx: HotContext) {
      if (!engine || !isPage(ctx.file)) return;
      const out = await withFigures(engine, await ctx.read(), ctx.file);
      if (out !== undefined) ctx.read = () => out;
    },
  };

  const post = {
    name: 'memtrace:assets',
    enforce: 'post' as const,
    transform(code: string, id: string) {
      if (!isPage(id) || !withFigure.has(id)) return undefined;
      const imports = [style, besideAdapters('vitepress-client.js')]
        .map((p) => `import ${JSON.stringify(p)};`)
        .join('');
      return { code: imports + code, map: null };
    },
  };

  return [pre, post];
}
