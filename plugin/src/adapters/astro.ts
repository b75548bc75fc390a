/**
 * The Astro integration. It registers memtrace with whichever Markdown processor the site uses (Sätteri, Astro 7's
 * default, or `unified()`), for `.md` and `.mdx`, without touching the user's processor options; emits the stepper's
 * script and stylesheet as hashed assets; and, once every page is rendered, fails the build listing every block that
 * could not be turned into a figure, even where content collections swallow render errors.
 */
import { randomUUID } from 'node:crypto';
import { constants, copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AstroIntegration, AstroIntegrationLogger } from 'astro';
import { CACHE_MAX_AGE_DAYS, pruneCache } from '../engine/cache.ts';
import { createEngine, type BlockOptions, type Engine, type MemtraceError } from '../engine/index.ts';
import { figureAssets, type StaticAsset } from '../figure/assets.ts';
import { sharedPool } from '../trace/index.ts';
import type { StepPages } from '../figure/windows.ts';
import remarkMemtrace from './remark.ts';
import { followSaves, type WatcherLike } from './astro-saves.ts';
import { satteriPlugin } from './satteri.ts';

/** Options of the Astro integration, `memtrace({ … })` in `astro.config.mjs`. */
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

/** The parts of Node's `ServerResponse` that filling slots wraps. */
interface ResponseLike {
  setHeader(name: string, value: string): void;
  getHeader(name: string): unknown;
  removeHeader(name: string): void;
  writeHead(...args: unknown[]): unknown;
  write(chunk: unknown, ...rest: unknown[]): boolean;
  end(...args: unknown[]): unknown;
}

type Middleware = (req: { url?: string }, res: ResponseLike, next: () => void) => void;

interface DevServerLike {
  middlewares: { use(fn: Middleware): void };
}

const withSlash = (s: string) => (s.endsWith('/') ? s : `${s}/`);
const withSlashUrl = (u: URL) => new URL(withSlash(u.href));
/** Orders errors by file, then line and column, so that a build lists them the same way each time. */
const byPlace = (a: MemtraceError, b: MemtraceError) =>
  (a.location?.file ?? '').localeCompare(b.location?.file ?? '') ||
  (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
  (a.location?.column ?? 0) - (b.location?.column ?? 0);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The error that fails `astro build`, shaped like Astro's own user errors (`AstroUserError`): Astro prints its
 * message, hint and location, and no stack trace, since the fault is in the Markdown, not in memtrace or Astro.
 */
export class MemtraceBuildError extends Error {
  /** Read by Astro's error printer: a user error is shown without the stack trace of the code that found it. */
  readonly type = 'AstroUserError';
  readonly hint: string;
  /** The first failed block, where Astro's printer says `Location:`. */
  readonly loc: { file: string; line: number; column: number } | undefined;
  /** Every block that failed, in the order they were met. (Not named `errors`: Astro would print only the first.) */
  readonly failures: MemtraceError[];

  constructor(errors: MemtraceError[]) {
    const blocks = [...errors]
      .sort(byPlace)
      .map((e) => e.message.replace(/^(?=.)/gm, '  '))
      .join('\n\n');
    super(`${plural(errors.length, 'memtrace block')} could not be turned into a figure:\n\n${blocks}\n`);
    this.name = 'MemtraceError';
    this.failures = errors;
    const hints = [...new Set(errors.map((e) => e.hint).filter((h) => h !== undefined))];
    this.hint = hints.length > 0 ? hints.join('\n') : 'Fix each block listed, then build again.';
    const first = [...errors].sort(byPlace).find((e) => e.location?.file)?.location;
    this.loc = first && { file: first.file!, line: first.line, column: first.column };
    // Astro prints a stack when there is one; the code that found the fault is not where it is.
    this.stack = '';
  }
}

const toBuffer = (chunk: unknown, encoding?: unknown) =>
  Buffer.isBuffer(chunk)
    ? chunk
    : chunk instanceof Uint8Array
      ? Buffer.from(chunk)
      : Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');

/**
 * Fills the figure placeholders of the dev server's HTML responses (see `slots` in the engine's options). An HTML
 * response is held until it ends, then sent whole with its figures; every other response passes untouched.
 */
function fillSlotsMiddleware(engine: Engine): Middleware {
  return (_req, res, next) => {
    const { writeHead, write, end } = res;
    const chunks: Buffer[] = [];
    const isHtml = () => /text\/html/.test(String(res.getHeader('content-type') ?? ''));
    res.writeHead = function (this: ResponseLike, status: unknown, ...rest: unknown[]) {
      // Headers given here are set first, so that an HTML response's length can be dropped (its figures change it).
      const headers = rest.find((r) => r && typeof r === 'object' && !Array.isArray(r)) as
        | Record<string, string>
        | undefined;
      for (const [k, v] of Object.entries(headers ?? {})) res.setHeader(k, v);
      if (isHtml()) res.removeHeader('content-length');
      const message = rest.find((r) => typeof r === 'string');
      return message === undefined ? writeHead.call(res, status) : writeHead.call(res, status, message);
    };
    res.write = (chunk: unknown, ...rest: unknown[]) => {
      if (!isHtml()) return write.call(res, chunk, ...rest);
      chunks.push(toBuffer(chunk, rest[0]));
      return true;
    };
    res.end = (...args: unknown[]) => {
      if (!isHtml()) return end.apply(res, args);
      const [chunk, encoding] = args;
      if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') chunks.push(toBuffer(chunk, encoding));
      const html = engine.fillSlots(Buffer.concat(chunks).toString('utf8'));
      if (!(res as unknown as { headersSent: boolean }).headersSent) res.removeHeader('content-length');
      return end.call(res, html);
    };
    next();
  };
}

/** What the dev server serves from memory, by URL. */
type ServedFiles = Map<string, { contentType: string; source: string | Uint8Array }>;

/**
 * Serves the stepper's assets from memory in `astro dev` (`astro build` writes them in astro:build:done), and puts
 * the figures in the pages it serves.
 */
function devServerPlugin(files: ServedFiles, engine: Engine) {
  return {
    name: 'memtrace:dev-server',
    configureServer(server: DevServerLike) {
      server.middlewares.use((req, res, next) => {
        const file = req.url && files.get(req.url.split('?')[0]!);
        if (!file) return next();
        res.setHeader('Content-Type', file.contentType);
        res.end(file.source);
      });
      server.middlewares.use(fillSlotsMiddleware(engine));
    },
  };
}

/**
 * Astro's content layer keeps each collection entry rendered in its data store (in the cache directory, or `.astro/`
 * for the dev server) and renders it again only when the entry's file or the site's config changed. An entry whose
 * memtrace block failed must not be served from there on the next run: the build would pass with the error panel in
 * its page, and memtrace, never asked, would report nothing. So the first failure of a run writes a new generation
 * to the cache directory, and the fingerprint put in the config carries the generation: the next run finds the config
 * changed and renders every entry again.
 */
function contentGeneration(cacheDir: URL) {
  const file = new URL('memtrace/content-generation', cacheDir);
  let current = '';
  try {
    current = readFileSync(file, 'utf8').trim();
  } catch {
    // No failure recorded yet.
  }
  let bumped = false;
  return {
    /** The fingerprint of this run: the engine's, and the generation when a failure was ever recorded. */
    fingerprint: (engine: Engine) => (current ? `${engine.fingerprint}.${current}` : engine.fingerprint),
    /** Records a failure (once a run): the next run's fingerprint differs from this one's. */
    fail() {
      if (bumped) return;
      bumped = true;
      mkdirSync(new URL('.', file), { recursive: true });
      writeFileSync(file, randomUUID());
    },
  };
}

/**
 * Puts the figures in the written pages of a static build, in place of their placeholders. Before any later
 * integration's `astro:build:done` reads them (list memtrace before integrations that read or rewrite the HTML).
 */
function fillPages(dir: string, engine: Engine) {
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.html')) continue;
    const path = join(dir, file);
    const html = readFileSync(path, 'utf8');
    if (html.includes('<memtrace-slot')) writeFileSync(path, engine.fillSlots(html));
  }
}

/** Adds memtrace to the site's Markdown processor; false when the processor is unknown. */
function register(processor: MarkdownProcessorLike, engine: Engine, fingerprint: string): boolean {
  if (processor.name === 'unified') {
    // Astro hashes its config (plugin options included) to know when to render content again: the fingerprint
    // goes in; the engine, whose counters change during a build, stays out of sight.
    const pluginOptions = Object.defineProperty({ fingerprint }, 'engine', { value: engine, enumerable: false });
    (processor.options.remarkPlugins ??= []).push([remarkMemtrace, pluginOptions]);
  } else if (processor.name === 'satteri') {
    (processor.options.mdastPlugins ??= []).push({ ...satteriPlugin(engine), fingerprint });
  } else return false;
  return true;
}

/** The build summary line: blocks, cache hits, and time spent tracing and rendering. */
function logSummary(engine: Engine | undefined, logger: AstroIntegrationLogger) {
  if (!engine || engine.stats.blocks === 0) return;
  const s = engine.stats;
  logger.info(
    `${plural(s.blocks, 'block')}: ${s.traced} traced, ${s.cached} from cache; ` +
      `tracing ${Math.round(s.traceMs)} ms, rendering ${Math.round(s.renderMs)} ms`,
  );
}

/**
 * Starts the runtime's child now rather than for the first block: as the dev server starts, it loads Pyodide (a
 * second or more) while the author reads the page; in a build with nothing cached, while Vite starts.
 */
function warmRuntime(logger: AstroIntegrationLogger) {
  sharedPool()
    .start()
    .catch((error) => logger.warn(`the Python runtime did not start: ${(error as Error).message ?? error}`));
}

/**
 * The step pages of long figures (figure/windows.ts): served from memory by the dev server (`files`), written to the
 * build's output by `writeTo`, from their HTML or from the cache's file that holds it.
 */
function stepPageFiles(url: (name: string) => string, style: string, files: ServedFiles) {
  const pages = new Map<string, { html: Uint8Array } | { path: string }>();
  const contentType = 'text/html; charset=utf-8';
  const stepPages: StepPages & { writeTo(out: URL): void } = {
    url,
    style,
    add(fileName, html) {
      pages.set(fileName, { html });
      files.set(url(fileName), { contentType, source: html });
    },
    addFile(fileName, path) {
      pages.set(fileName, { path });
      files.set(url(fileName), {
        contentType,
        get source() {
          return readFileSync(path);
        },
      });
    },
    writeTo(out) {
      for (const [fileName, page] of pages) {
        // A copy-on-write clone where the file system can (the cache and the site on one disk).
        if ('path' in page) copyFileSync(page.path, new URL(fileName, out), constants.COPYFILE_FICLONE);
        else writeFileSync(new URL(fileName, out), page.html);
      }
    },
  };
  return stepPages;
}

/** Writes the stepper's files and the step pages of long figures into the site's assets folder. */
function writeAssets(out: URL, files: readonly StaticAsset[], writeStepPages: ((out: URL) => void) | undefined): void {
  mkdirSync(out, { recursive: true });
  for (const f of files) writeFileSync(new URL(f.fileName, out), f.source);
  writeStepPages?.(out);
}

/**
 * A build with no figure cache (a fresh CI runner, the first build, `cache: false`) traces every block: Pyodide loads
 * while Vite starts. A build with a cache may need no trace at all, and starts Pyodide only when it does.
 */
function warmUncachedBuild(cacheDir: string | undefined, logger: AstroIntegrationLogger) {
  let cached = false;
  try {
    cached = cacheDir !== undefined && readdirSync(cacheDir).length > 0;
  } catch {
    // No cache folder yet: nothing cached.
  }
  if (cached) return;
  logger.info('no figure cached yet: every block is traced; Pyodide starts now');
  warmRuntime(logger);
}

/** The memtrace Astro integration: `integrations: [memtrace()]`. */
export default function memtrace(options: MemtraceIntegrationOptions = {}): AstroIntegration {
  let engine: Engine | undefined;
  let assetsDir = '_astro';
  const assets = figureAssets();
  let writeStepPages: ((out: URL) => void) | undefined;
  let cacheDir: string | undefined;
  let pagesDir = '';
  /** A build whose every page is written to files, with the cache on: figures of src/pages go in as placeholders. */
  let staticBuild = false;

  return {
    name: 'memtrace',
    hooks: {
      'astro:config:setup': ({ config, command, updateConfig, logger }) => {
        if (options.disabled) return;
        assetsDir = config.build.assets.replace(/^\/+|\/+$/g, '');
        pagesDir = fileURLToPath(new URL('pages/', withSlashUrl(config.srcDir)));
        const base = withSlash(config.base);
        const url = (name: string) => `${base}${assetsDir}/${name}`;
        // Long figures' step pages (figure/windows.ts): served from memory by the dev server, written at build:done.
        const files: ServedFiles = new Map(assets.files.map((f) => [url(f.fileName), f]));
        const stepPages = stepPageFiles(url, url(assets.style), files);
        writeStepPages = stepPages.writeTo;
        const generation = contentGeneration(withSlashUrl(config.cacheDir));
        cacheDir =
          options.cache === false ? undefined : fileURLToPath(new URL('memtrace/', withSlashUrl(config.cacheDir)));
        engine = createEngine({
          stepPages,
          defaults: options.defaults,
          cacheDir: cacheDir ?? false,
          // A build renders every page before failing, so that every failed block is listed (an error thrown inside
          // an MDX page would stop Vite at that one).
          mode: command === 'dev' ? 'dev' : 'collect',
          assets: { script: url(assets.script), style: url(assets.style) },
          logger,
          root: fileURLToPath(config.root),
          // The dev server keeps the rendered Markdown of many saves; placeholders keep figures out of it. A static
          // build renders the Markdown of src/pages anew each time (content collections keep theirs across builds):
          // placeholders keep hundreds of kB per figure out of Astro's pipeline, filled in the written pages.
          slots: command === 'dev' ? true : (block) => staticBuild && !!block.file?.startsWith(pagesDir),
          onError: () => generation.fail(),
        });
        const processor = config.markdown.processor as unknown as MarkdownProcessorLike;
        if (!register(processor, engine, generation.fingerprint(engine))) {
          logger.warn(`unknown Markdown processor "${processor.name}": memtrace blocks will not be rendered.`);
        }
        // The dev server serves the assets from memory; the engine's fingerprint in the config clears older pages.
        updateConfig({ vite: { plugins: [devServerPlugin(files, engine)] } });
        if (command === 'build') warmUncachedBuild(cacheDir, logger);
      },
      'astro:config:done': ({ buildOutput }) => {
        staticBuild = !options.disabled && options.cache !== false && buildOutput === 'static';
      },
      'astro:build:generated': ({ logger }) => {
        if (engine && engine.errors.length > 0) {
          logSummary(engine, logger);
          throw new MemtraceBuildError(engine.errors);
        }
      },
      'astro:build:done': ({ dir, logger }) => {
        if (engine && staticBuild) fillPages(fileURLToPath(dir), engine);
        writeAssets(new URL(`${assetsDir}/`, dir), assets.files, writeStepPages);
        logSummary(engine, logger);
        const pruned = cacheDir ? pruneCache(cacheDir) : 0;
        if (pruned > 0) logger.info(`removed ${plural(pruned, 'cache file')} unused for ${CACHE_MAX_AGE_DAYS} days`);
      },
      // Before Astro's content loaders add their listeners to the watcher (see astro-saves.ts).
      'astro:server:setup': ({ server, refreshContent, logger }) => {
        if (!engine) return;
        followSaves(server.watcher as unknown as WatcherLike, refreshContent, pagesDir, logger, engine.settled);
      },
      'astro:server:start': ({ logger }) => {
        if (engine) warmRuntime(logger);
      },
      'astro:server:done': async () => {
        await engine?.close();
      },
    },
  };
}
