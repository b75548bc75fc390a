/**
 * memtrace for Astro: the default export is the integration. It registers memtrace with whichever Markdown
 * processor the site uses (Sätteri, Astro 7's default, or `unified()`), for `.md` and `.mdx`, without touching the
 * user's processor options; emits the stepper's script and stylesheet as hashed assets; and fails the build when a
 * block cannot be traced, even where content collections swallow render errors.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration, AstroIntegrationLogger } from 'astro';
import { satteriPlugin } from './adapters/satteri.ts';
import { createEngine, type BlockOptions, type Engine } from './engine/index.ts';
import { figureAssets } from './figure/assets.ts';
import type { RenderedFigure, RenderOptions } from './render/index.ts';
import type { Trace } from './trace/format.ts';
import remarkMemtrace from './remark.ts';

export { default as remarkMemtrace } from './remark.ts';
export { createEngine, MemtraceError, type BlockOptions, type Engine, type EngineOptions } from './engine/index.ts';
export type { RenderOptions, RenderedFigure, RenderedStep } from './render/index.ts';
export { trace } from './trace/index.ts';
export type * from './trace/format.ts';

/** Draws every step of a trace as SVG, with its text version (see `RenderOptions`). Loads satori on first use. */
export async function render(trace: Trace, options?: RenderOptions): Promise<RenderedFigure> {
  return (await import('./render/index.ts')).render(trace, options);
}

export interface MemtraceIntegrationOptions {
  /** Defaults for every block (camelCase), e.g. `{ start: 'last', maxSteps: 500 }`. A fence's options win. */
  defaults?: BlockOptions;
  /** Cache traced and rendered figures on disk in Astro's `cacheDir` (default true). */
  cache?: boolean;
  /** Register nothing: memtrace blocks stay plain code blocks (for comparing build times). */
  disabled?: boolean;
}

interface MarkdownProcessorLike {
  name: string;
  options: { remarkPlugins?: unknown[]; mdastPlugins?: unknown[] };
}

const withSlash = (s: string) => (s.endsWith('/') ? s : `${s}/`);

export default function memtrace(options: MemtraceIntegrationOptions = {}): AstroIntegration {
  let engine: Engine | undefined;
  let assetsDir = '_astro';
  const assets = figureAssets();

  const summary = (logger: AstroIntegrationLogger) => {
    if (!engine || engine.stats.blocks === 0) return;
    const s = engine.stats;
    logger.info(
      `${s.blocks} block${s.blocks === 1 ? '' : 's'}: ${s.traced} traced, ${s.cached} from cache; ` +
        `tracing ${Math.round(s.traceMs)} ms, rendering ${Math.round(s.renderMs)} ms`,
    );
  };

  return {
    name: 'memtrace',
    hooks: {
      'astro:config:setup': ({ config, command, updateConfig, logger }) => {
        if (options.disabled) return;
        assetsDir = config.build.assets.replace(/^\/+|\/+$/g, '');
        const base = withSlash(config.base);
        const url = (name: string) => `${base}${assetsDir}/${name}`;
        engine = createEngine({
          defaults: options.defaults,
          cacheDir: options.cache === false ? false : fileURLToPath(new URL('memtrace/', withSlash(config.cacheDir.href))),
          mode: command === 'dev' ? 'dev' : 'build',
          assets: { script: url(assets.script), style: url(assets.style) },
          logger,
        });

        const processor = config.markdown.processor as unknown as MarkdownProcessorLike;
        if (processor.name === 'unified') {
          // Astro hashes its config (plugin options included) to know when to render content again: the fingerprint
          // goes in; the engine, whose counters change during a build, stays out of sight.
          const pluginOptions = Object.defineProperty({ fingerprint: engine.fingerprint }, 'engine', { value: engine, enumerable: false });
          (processor.options.remarkPlugins ??= []).push([remarkMemtrace, pluginOptions]);
        } else if (processor.name === 'satteri') {
          (processor.options.mdastPlugins ??= []).push(satteriPlugin(engine));
        } else {
          logger.warn(`unknown Markdown processor "${processor.name}": memtrace blocks will not be rendered.`);
        }

        // The dev server serves the assets from memory; `astro build` writes them in astro:build:done. (Pages the
        // content layer rendered with older assets are not kept: the engine's fingerprint in the config clears them.)
        const files = new Map(assets.files.map((f) => [url(f.fileName), f]));
        updateConfig({
          vite: {
            plugins: [
              {
                name: 'memtrace:assets',
                configureServer(server: { middlewares: { use(fn: (req: { url?: string }, res: any, next: () => void) => void): void } }) {
                  server.middlewares.use((req, res, next) => {
                    const file = req.url && files.get(req.url.split('?')[0]!);
                    if (!file) return next();
                    res.setHeader('Content-Type', file.contentType);
                    res.end(file.source);
                  });
                },
              },
            ],
          },
        });
      },
      'astro:build:generated': ({ logger }) => {
        // Content collections log a failed render and go on; a block that cannot be traced must still fail the build.
        if (engine && engine.errors.length > 0) {
          summary(logger);
          const n = engine.errors.length;
          throw new Error(`memtrace: ${n} block${n === 1 ? '' : 's'} could not be rendered:\n\n${engine.errors.map((e) => e.message).join('\n\n')}`);
        }
      },
      'astro:build:done': ({ dir, logger }) => {
        const out = new URL(`${assetsDir}/`, dir);
        mkdirSync(out, { recursive: true });
        for (const f of assets.files) writeFileSync(new URL(f.fileName, out), f.source);
        summary(logger);
      },
      'astro:server:done': async () => {
        await engine?.close();
      },
    },
  };
}
