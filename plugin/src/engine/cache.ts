/**
 * The build cache: one JSON file per block, keyed by everything that can change its figure (code, options and the
 * versions of the plugin, the tracer, Pyodide and satori). A rebuild with no changed block never starts Pyodide.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

const packageVersion = (name: string): string => {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
};

let versions: string | undefined;

/**
 * Versions that invalidate every cached figure when they change. memtrace's own code is keyed by a hash of its
 * files (tracer, renderer, figure markup), so a development build never serves a figure drawn by older code.
 */
export function engineVersions(): string {
  if (versions === undefined) {
    const own = JSON.parse(readFileSync(join(here, '../../package.json'), 'utf8')) as { version: string };
    const code = createHash('sha256');
    const root = join(here, '..');
    for (const file of readdirSync(root, { recursive: true, encoding: 'utf8' }).sort()) {
      if (!/\.(js|ts|py|css)$/.test(file) || file.endsWith('.d.ts')) continue;
      code
        .update(file)
        .update('\0')
        .update(readFileSync(join(root, file)))
        .update('\0');
    }
    versions = JSON.stringify({
      memtrace: own.version,
      code: code.digest('hex').slice(0, 16),
      pyodide: packageVersion('pyodide'),
      satori: packageVersion('satori'),
    });
  }
  return versions;
}

/** A content key: a hash of `parts` and of {@link engineVersions}. */
export function cacheKey(parts: unknown): string {
  return createHash('sha256').update(engineVersions()).update('\0').update(JSON.stringify(parts)).digest('hex');
}

/** Figures or traces by content key. */
export interface Cache<T> {
  get(key: string): T | undefined;
  /**
   * Keeps `value`; `json`, when the caller has it, is its JSON, as text or as UTF-8 in pieces written one after
   * another (saves writing it again).
   */
  set(key: string, value: T, json?: string | readonly Uint8Array[]): void;
}

/**
 * Entries kept in memory in front of a cache directory, most recently used first, at most this many and
 * {@link MEMORY_BYTES} of them. Each is a whole figure (hundreds of kB to over a MB of SVG), and a dev server that
 * re-traces a block on every save would otherwise keep every version it drew.
 */
export const MEMORY_ENTRIES = 64;

/**
 * The size of the entries kept in memory in front of a cache directory, counted as their JSON's length (in memory an
 * entry takes about twice that). A page's figures fit several times over; the versions of one block that an author's
 * saves drew do not pile up: a figure of 20 steps is 300 kB or more, and a dev server holds most of them as a
 * page's filled placeholders anyway. A figure not in memory is read from its file again (a few ms).
 */
export const MEMORY_BYTES = 8 * 2 ** 20;

/**
 * A cache in a directory, with the most recently used entries also in memory (see {@link MEMORY_ENTRIES} and
 * {@link MEMORY_BYTES}); `undefined` dir gives a memory-only cache that keeps everything (the remark plugin without a
 * cache option).
 */
export function createCache<T>(dir: string | undefined): Cache<T> {
  const memory = new Map<string, { value: T; size: number }>();
  let bytes = 0;
  const remember = (key: string, value: T, size: number) => {
    const old = memory.get(key);
    if (old) bytes -= old.size;
    memory.delete(key);
    memory.set(key, { value, size });
    bytes += size;
    if (!dir) return;
    // The newest entry stays, even alone over the budget: it is the one a page is about to show.
    while (memory.size > 1 && (memory.size > MEMORY_ENTRIES || bytes > MEMORY_BYTES)) {
      const [oldest, { size: freed }] = memory.entries().next().value!;
      memory.delete(oldest);
      bytes -= freed;
    }
  };
  return {
    get(key) {
      const hit = memory.get(key);
      if (hit !== undefined) remember(key, hit.value, hit.size);
      if (hit !== undefined || !dir) return hit?.value;
      try {
        const file = join(dir, key.slice(0, 2), `${key}.json`);
        const text = readFileSync(file, 'utf8');
        const value = JSON.parse(text) as T;
        remember(key, value, text.length);
        touch(file);
        return value;
      } catch {
        return undefined;
      }
    },
    set(key, value, json) {
      if (!dir) {
        remember(key, value, 0);
        return;
      }
      const parts = typeof json === 'object' ? json : [Buffer.from(json ?? JSON.stringify(value))];
      remember(key, value, byteLength(parts));
      const file = join(dir, key.slice(0, 2), `${key}.json`);
      mkdirSync(dirname(file), { recursive: true });
      // Write then rename, so that a build killed mid-write never leaves a truncated entry behind.
      const tmp = `${file}.${process.pid}.tmp`;
      writeParts(tmp, parts);
      renameSync(tmp, file);
    },
  };
}

const byteLength = (parts: readonly Uint8Array[]): number => parts.reduce((n, p) => n + p.length, 0);

/** Writes a file from pieces of bytes, one after another, without joining them first. */
function writeParts(file: string, parts: readonly Uint8Array[]): void {
  const fd = openSync(file, 'w');
  try {
    for (const part of parts) for (let at = 0; at < part.length; ) at += writeSync(fd, part, at);
  } finally {
    closeSync(fd);
  }
}

/** Marks a cached file as used now, so that {@link pruneCache} keeps it. */
export function touch(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // Gone or read-only: it is read from the cache all the same.
  }
}

/**
 * How long a cached file is kept without being used. Every upgrade of memtrace and every edit of a block leaves
 * entries that nothing will read again; a site built less often than this starts cold.
 */
export const CACHE_MAX_AGE_DAYS = 30;

/** Deletes the entries of a cache directory (files in its folders) not used (read or written) for `days`; returns how many went. */
export function pruneCache(dir: string, days = CACHE_MAX_AGE_DAYS): number {
  const before = Date.now() - days * 86_400_000;
  let pruned = 0;
  let files: string[];
  try {
    files = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  } catch {
    return 0;
  }
  for (const f of files) {
    // Files at the top are the host's own bookkeeping (the Astro integration's content generation), not entries.
    if (!f.includes(sep)) continue;
    const path = join(dir, f);
    try {
      const stat = statSync(path);
      if (stat.isFile() && stat.mtimeMs < before) {
        rmSync(path, { force: true });
        pruned++;
      }
    } catch {
      // Removed meanwhile by another build.
    }
  }
  return pruned;
}
