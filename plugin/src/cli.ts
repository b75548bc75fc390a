#!/usr/bin/env node
/**
 * The `memtrace` command. Each subcommand is one function from its arguments to an exit code; a subcommand
 * that fails prints one line on stderr. Exit codes: 0 done, 1 a program could not be traced, 2 bad usage.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Root } from './figure/hast.ts';
import type { RenderedFigure } from './render/types.ts';
import type { Trace, TraceFailure } from './trace/format.ts';
import { attachNotesToJson, locateFailure, parseNotes, traceWithNotes, warningLine } from './notes/index.ts';
import { TraceRuntime, type RunOptions } from './trace/runtime.ts';

const USAGE = `Usage:
  memtrace trace FILE.py [options]            print the trace of FILE.py as JSON on stdout
  memtrace trace A.py B.py ... --out DIR      write DIR/A.json, DIR/B.json, ... (one sandbox, one after another)
  memtrace render FILE.py --out DIR           one SVG per step and a standalone index.html with the stepper

Options:
  --format memtrace|pytutor   trace format (default memtrace; pytutor is Python Tutor's JSON)
  --max-steps N               stop after N steps (default 1000)
  --timeout-ms N              stop after N ms of wall-clock time (default 10000)
  --stdin TEXT                what input() reads, line by line
  --out DIR                   trace: one JSON file per program into DIR; render: the SVGs and index.html
  --title TEXT                render: the figure's title (default: the file name)
  --layout wide|narrow        render: the arrangement of each SVG: code | frames | objects (wide, the default),
                              or code, frames and objects stacked for a column as narrow as a phone's (narrow)
  -h, --help                  show this help

Exit status: 0 when every program ran (an uncaught exception is part of its trace), 1 when one could not be
traced (syntax error, timeout before any step, ...), 2 on bad usage.`;

class UsageError extends Error {}

const TRACE_OPTIONS = {
  format: { type: 'string' },
  'max-steps': { type: 'string' },
  'timeout-ms': { type: 'string' },
  stdin: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new UsageError(`--${name} must be a positive integer, got '${value}'`);
  return Number(value);
}

function readProgram(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read ${file}${code === 'ENOENT' ? ': no such file' : `: ${(error as Error).message}`}`,
    );
  }
}

/** One line saying why `file` could not be traced, located like a compiler error when there is a line. */
function failureLine(file: string, failure: TraceFailure): string {
  const where = failure.line ? `${file}:${failure.line}${failure.column ? `:${failure.column}` : ''}` : file;
  return `memtrace: ${where}: ${failure.kind === 'syntax' ? '' : `${failure.kind}: `}${failure.message.replace(/\s*\n\s*/g, ' ')}`;
}

/** A trace that stopped on time before its first step has nothing to show: that is a failure too. */
function emptyTimeout(json: string): TraceFailure | undefined {
  const trace = JSON.parse(json) as {
    steps?: unknown[];
    trace?: unknown[];
    end?: { reason?: string; message?: string };
  };
  const steps = trace.steps ?? trace.trace;
  if (trace.end?.reason === 'timeout' && Array.isArray(steps) && steps.length === 0) {
    return { kind: 'timeout', message: trace.end.message ?? 'the program timed out before its first step' };
  }
  return undefined;
}

async function traceCommand(args: string[]): Promise<number> {
  const { values, positionals: files } = parseArgs({ args, options: TRACE_OPTIONS, allowPositionals: true });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (files.length === 0) throw new UsageError('trace needs at least one FILE.py');
  if (files.length > 1 && !values.out) throw new UsageError('several files need --out DIR');
  if (values.format !== undefined && values.format !== 'memtrace' && values.format !== 'pytutor') {
    throw new UsageError(`--format must be memtrace or pytutor, got '${values.format}'`);
  }
  const options: RunOptions = {
    format: values.format as RunOptions['format'],
    maxSteps: positiveInt('max-steps', values['max-steps']),
    timeoutMs: positiveInt('timeout-ms', values['timeout-ms']),
    stdin: values.stdin,
  };
  const outputs = new Map<string, string>();
  for (const file of files) {
    const name = `${basename(file, extname(file))}.json`;
    if (values.out && [...outputs.values()].includes(name))
      throw new UsageError(`two programs would both write ${name}`);
    outputs.set(file, name);
  }
  const programs = files.map((file) => ({ file, code: readProgram(file) }));
  if (values.out) mkdirSync(values.out, { recursive: true });

  const runtime = new TraceRuntime();
  let failed = 0;
  try {
    for (const { file, code } of programs) {
      // Notes (`#:` comments) are taken out before tracing and put on the steps they explain (memtrace format only).
      const program = parseNotes(code);
      const traced = await runtime.traceJson(program.code, options);
      const narrated =
        typeof traced === 'string' && options.format !== 'pytutor' ? attachNotesToJson(traced, program) : undefined;
      for (const w of narrated?.warnings ?? []) process.stderr.write(`memtrace: ${warningLine(file, w)} (warning)\n`);
      const result = typeof traced === 'string' ? (narrated?.json ?? traced) : locateFailure(traced, program);
      const failure = typeof result === 'string' ? emptyTimeout(result) : result;
      if (failure || typeof result !== 'string') {
        process.stderr.write(failureLine(file, failure ?? (result as TraceFailure)) + '\n');
        failed++;
      } else if (values.out) {
        writeFileSync(join(values.out, outputs.get(file)!), result + '\n');
      } else {
        process.stdout.write(result + '\n');
      }
    }
  } finally {
    await runtime.close();
  }
  return failed ? 1 : 0;
}

const RENDER_OPTIONS = {
  'max-steps': { type: 'string' },
  'timeout-ms': { type: 'string' },
  stdin: { type: 'string' },
  title: { type: 'string' },
  layout: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

/** What `memtrace render` was asked to do. */
interface RenderRequest {
  file: string;
  out: string;
  title: string;
  layout: 'wide' | 'narrow';
  options: RunOptions;
}

/** The render command's arguments, checked; undefined for `--help` (the usage is printed). */
function renderRequest(args: string[]): RenderRequest | undefined {
  const { values, positionals: files } = parseArgs({ args, options: RENDER_OPTIONS, allowPositionals: true });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return undefined;
  }
  if (files.length !== 1) throw new UsageError('render needs exactly one FILE.py');
  if (!values.out) throw new UsageError('render needs --out DIR');
  const layout = values.layout ?? 'wide';
  if (layout !== 'wide' && layout !== 'narrow')
    throw new UsageError(`--layout must be wide or narrow, got '${layout}'`);
  const file = files[0]!;
  return {
    file,
    out: values.out,
    title: values.title ?? basename(file),
    layout,
    options: {
      maxSteps: positiveInt('max-steps', values['max-steps']),
      timeoutMs: positiveInt('timeout-ms', values['timeout-ms']),
      stdin: values.stdin,
    },
  };
}

/** The program's trace with its notes on its steps, or undefined once the reason it has none is printed. */
async function traceToRender(file: string, code: string, options: RunOptions): Promise<Trace | undefined> {
  const runtime = new TraceRuntime();
  let narrated: Awaited<ReturnType<typeof traceWithNotes>>;
  try {
    // The program's `#:` notes go on the steps they explain: each step's SVG <desc>, text version and note in the page.
    narrated = await traceWithNotes(runtime, code, options);
  } finally {
    await runtime.close();
  }
  if (!('trace' in narrated)) {
    process.stderr.write(failureLine(file, narrated) + '\n');
    return undefined;
  }
  for (const w of narrated.warnings) process.stderr.write(`memtrace: ${warningLine(file, w)} (warning)\n`);
  if (narrated.trace.steps.length === 0) {
    process.stderr.write(failureLine(file, { kind: 'runtime', message: 'the program recorded no steps' }) + '\n');
    return undefined;
  }
  return narrated.trace;
}

/** Writes `step-NN.svg` for every step, numbered with as many digits as the last one needs. */
function writeStepSvgs(out: string, figure: RenderedFigure): void {
  const width = String(figure.steps.length).length;
  for (const step of figure.steps) {
    writeFileSync(join(out, `step-${String(step.index + 1).padStart(width, '0')}.svg`), step.svg + '\n');
  }
}

/**
 * A standalone page holding one figure. Browsers refuse module scripts from file:// URLs, so the page carries the
 * stepper inline (its `<script>` swapped for the script's text) and opens from disk.
 */
async function standalonePage(figureTree: Root, title: string, script: string): Promise<Root> {
  const { h } = await import('./figure/hast.ts');
  const body = figureTree.children.map((node) =>
    node.type === 'element' && node.tagName === 'script' ? h('script', { type: 'module' }, script) : node,
  );
  const head = h('head', [
    '\n',
    h('meta', { charset: 'utf-8' }),
    '\n',
    h('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }),
    '\n',
    h('title', `${title} · memtrace`),
    '\n',
  ]);
  const page = h('html', { lang: 'en' }, [
    '\n',
    head,
    '\n',
    h('body', { style: 'max-width:80rem;margin:1rem auto;padding:0 1rem;font-family:system-ui,sans-serif' }, [
      '\n',
      ...body,
      '\n',
    ]),
    '\n',
  ]);
  return {
    type: 'root',
    children: [{ type: 'doctype' }, { type: 'text', value: '\n' }, page, { type: 'text', value: '\n' }],
  };
}

/** Writes index.html, the figure arranged for its reader's width, with the stepper, and the files it links. */
async function writeIndexPage(out: string, trace: Trace, title: string, pageFigure: RenderedFigure): Promise<void> {
  const [{ renderFigure }, { figureAssets }, { htmlBytes }] = await Promise.all([
    import('./figure/markup.ts'),
    import('./figure/assets.ts'),
    import('./figure/hast.ts'),
  ]);
  const assets = figureAssets();
  for (const f of assets.files) if (f.fileName !== assets.script) writeFileSync(join(out, f.fileName), f.source);
  const script = assets.files.find((f) => f.fileName === assets.script)!.source as string;
  const figureTree = renderFigure(pageFigure, {
    id: 'mt',
    title,
    code: trace.code,
    assets: { script: assets.script, style: assets.style },
  });
  writeFileSync(join(out, 'index.html'), htmlBytes(await standalonePage(figureTree, title, script)));
}

/** One SVG per step (readable alone: every colour has a light fallback) and a standalone index.html with the stepper. */
async function renderCommand(args: string[]): Promise<number> {
  const request = renderRequest(args);
  if (!request) return 0;
  const { file, out, title, layout } = request;
  const code = readProgram(file);
  // Loaded here, not at the top: `memtrace trace` should not pay for satori and the fonts.
  const { render } = await import('./render/index.ts');
  const trace = await traceToRender(file, code, request.options);
  if (!trace) return 1;
  const figure = await render(trace, { idPrefix: 'mt-', title, layout });
  // The page arranges itself for its reader's width, as a site's figures do.
  const pageFigure = await render(trace, { idPrefix: 'mt-', title, layout: 'page' });
  mkdirSync(out, { recursive: true });
  writeStepSvgs(out, figure);
  await writeIndexPage(out, trace, title, pageFigure);
  process.stderr.write(`memtrace: wrote ${figure.steps.length} SVGs and index.html to ${out}\n`);
  return 0;
}

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  trace: traceCommand,
  render: renderCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    process.stderr.write(
      `memtrace: ${name === undefined ? 'missing command' : `unknown command '${name}'`} (try memtrace --help)\n`,
    );
    return 2;
  }
  try {
    return await command(args);
  } catch (error) {
    // parseArgs reports unknown or malformed options with a code; those are usage errors too.
    const usage =
      error instanceof UsageError || String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`memtrace: ${(error as Error).message.split('\n')[0]}\n`);
    return usage ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
