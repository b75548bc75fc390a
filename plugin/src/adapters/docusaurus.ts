/**
 * memtrace for Docusaurus 3: a plugin (`plugins: ['memtrace/docusaurus']`). Docusaurus has no site-wide list of
 * remark plugins, so `configureWebpack` adds the remark plugin in front of every MDX loader the content plugins
 * (docs, blog, pages; `.md` and `.mdx`) set up, and lets that loader build its processors again with it. The
 * stylesheet and font are a client module (webpack hashes them; Docusaurus loads client modules on every page);
 * the stepper is loaded by the client module only on pages with a figure, once React has rendered the route.
 */
import { join } from 'node:path';
import type { Root } from 'mdast';
import type { BlockOptions } from '../engine/index.ts';
import { createEngine, MemtraceError, type Engine } from '../engine/index.ts';
import remarkMemtrace from './remark.ts';
import { besideAdapters, writeClientStyle } from './client-files.ts';

export interface MemtraceDocusaurusOptions {
  /** Defaults for every block (camelCase), e.g. `{ start: 'last' }`. A fence's options win. */
  defaults?: BlockOptions;
  /** Cache figures on disk in `.docusaurus/memtrace` (default true). */
  cache?: boolean;
}

interface LoadContext {
  generatedFilesDir: string;
}
interface LoaderItem {
  loader?: string;
  options?: { beforeDefaultRemarkPlugins?: unknown[]; processors?: unknown };
}
interface Rule {
  use?: unknown;
  oneOf?: Rule[];
  rules?: Rule[];
}

/** Webpack serves the stylesheet and the stepper: the asset tags the engine puts before a page's first figure go. */
const ASSET_TAGS = new Set(['link', 'script', 'style']);
function remarkMemtraceFigures(engine: Engine) {
  const transform = remarkMemtrace({ engine });
  return async (tree: Root, file: Parameters<typeof transform>[1]) => {
    try {
      await transform(tree, file);
    } catch (error) {
      // Docusaurus prints the message alone ("Cause: ..."): make it the one that names the file, line and column.
      const cause = (error as { cause?: unknown }).cause;
      if (cause instanceof MemtraceError) (error as Error).message = cause.message;
      throw error;
    }
    tree.children = tree.children.filter(
      (n) => !ASSET_TAGS.has((n.data as { hName?: string } | undefined)?.hName ?? ''),
    );
  };
}

/** Every `@docusaurus/mdx-loader` use item in the webpack rules, however deeply nested. */
function mdxLoaders(rules: unknown[] | undefined, found: LoaderItem[] = []): LoaderItem[] {
  for (const rule of (rules ?? []) as Rule[]) {
    for (const use of Array.isArray(rule.use) ? (rule.use as LoaderItem[]) : []) {
      if (typeof use?.loader === 'string' && /[\\/]@docusaurus[\\/]mdx-loader[\\/]/.test(use.loader)) found.push(use);
    }
    mdxLoaders(rule.oneOf, found);
    mdxLoaders(rule.rules, found);
  }
  return found;
}

export default function memtraceDocusaurus(context: LoadContext, options: MemtraceDocusaurusOptions = {}) {
  const dir = join(context.generatedFilesDir, 'memtrace');
  const engine = createEngine({
    defaults: options.defaults,
    cacheDir: options.cache === false ? false : join(dir, 'figures'),
    mode: process.env.NODE_ENV === 'production' ? 'build' : 'dev',
    logger: {
      info: (m) => console.info(`[memtrace] ${m}`),
      warn: (m) => console.warn(`[memtrace] ${m}`),
      error: (m) => console.error(`[memtrace] ${m}`),
    },
  });
  const plugin = [remarkMemtraceFigures, engine];
  const style = writeClientStyle(join(dir, 'client'));

  return {
    name: 'memtrace',
    getClientModules: () => [style, besideAdapters('docusaurus-client.js')],
    configureWebpack(config: { module?: { rules?: unknown[] } }) {
      for (const item of mdxLoaders(config.module?.rules)) {
        const before = item.options?.beforeDefaultRemarkPlugins ?? [];
        if (before.includes(plugin)) continue;
        // Without `processors` the loader builds them from these options, on first use (and once per options object).
        item.options = { ...item.options, beforeDefaultRemarkPlugins: [plugin, ...before], processors: undefined };
      }
      return {};
    },
    async postBuild() {
      const s = engine.stats;
      if (s.blocks > 0)
        console.info(
          `[memtrace] ${s.blocks} block${s.blocks === 1 ? '' : 's'}: ${s.traced} traced, ${s.cached} from cache`,
        );
    },
  };
}

/** Options are checked by the engine when it is created; Docusaurus calls this to accept them. */
memtraceDocusaurus.validateOptions = ({ options }: { options: MemtraceDocusaurusOptions }) => options;
