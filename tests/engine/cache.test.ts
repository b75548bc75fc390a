/**
 * The figure cache's memory in front of its directory: bounded by count and by size, most recently used kept, so
 * that a dev server re-tracing a block on every save does not keep every version it drew.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CACHE_MAX_AGE_DAYS,
  createCache,
  MEMORY_BYTES,
  MEMORY_ENTRIES,
  pruneCache,
} from '../../plugin/src/engine/cache.ts';

const dirs: string[] = [];
const newDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'mt-cache-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A key in the cache's layout (its first two characters name the subdirectory). */
const key = (n: number) => n.toString(16).padStart(64, '0');

/** The keys still answered once the directory is gone: those the cache kept in memory. */
function inMemory(dir: string, cache: ReturnType<typeof createCache<unknown>>, keys: string[]): string[] {
  rmSync(dir, { recursive: true, force: true });
  return keys.filter((k) => cache.get(k) !== undefined);
}

describe('the figure cache in memory', () => {
  it('keeps the most recently used entries within its size', () => {
    const dir = newDir();
    const cache = createCache<{ svg: string }>(dir);
    // Each entry a quarter of the budget: four fit with their JSON's quotes and braces, five do not.
    const big = { svg: 'x'.repeat(MEMORY_BYTES / 4 - 20) };
    const keys = [1, 2, 3, 4, 5, 6].map(key);
    for (const k of keys) cache.set(k, big);
    // Kept: 3 to 6. Reading 3, the oldest, makes it the most recent: the next one in pushes 4 out instead.
    expect(cache.get(keys[2]!)).toEqual(big);
    cache.set(key(7), big);
    expect(inMemory(dir, cache, [...keys, key(7)])).toEqual([keys[2], keys[4], keys[5], key(7)]);
  });

  it('keeps at most its count of small entries, and the entries on disk stay readable', () => {
    const dir = newDir();
    const cache = createCache<number>(dir);
    const keys = Array.from({ length: MEMORY_ENTRIES + 10 }, (_, i) => key(i + 1));
    keys.forEach((k, i) => cache.set(k, i));
    // From disk: every entry, the evicted ones too.
    expect(keys.map((k) => cache.get(k))).toEqual(keys.map((_, i) => i));
    expect(inMemory(dir, cache, keys)).toHaveLength(MEMORY_ENTRIES);
  });

  it('keeps an entry larger than its whole size while it is the newest', () => {
    const dir = newDir();
    const cache = createCache<string>(dir);
    const huge = 'y'.repeat(MEMORY_BYTES + 1);
    cache.set(key(1), 'small');
    cache.set(key(2), huge);
    expect(inMemory(dir, cache, [key(1), key(2)])).toEqual([key(2)]);
  });

  it('keeps everything without a directory', () => {
    const cache = createCache<string>(undefined);
    const big = 'z'.repeat(MEMORY_BYTES / 2);
    const keys = Array.from({ length: MEMORY_ENTRIES + 5 }, (_, i) => key(i + 1));
    for (const k of keys) cache.set(k, big);
    expect(keys.every((k) => cache.get(k) === big)).toBe(true);
  });
});

describe('pruning the cache', () => {
  const daysAgo = (file: string, days: number) => {
    const then = new Date(Date.now() - days * 86_400_000);
    utimesSync(file, then, then);
  };

  it('deletes the entries unused for its age, keeps those read since, and the files at its top', () => {
    const dir = newDir();
    const cache = createCache<number>(dir);
    cache.set(key(1), 1);
    cache.set(key(2), 2);
    const file = (k: string) => join(dir, k.slice(0, 2), `${k}.json`);
    mkdirSync(join(dir, 'step-pages'));
    const page = join(dir, 'step-pages', 'memtrace-steps.0123.html');
    const own = join(dir, 'content-generation');
    writeFileSync(page, '<p>steps</p>');
    writeFileSync(own, 'generation');
    for (const f of [file(key(1)), file(key(2)), page, own]) daysAgo(f, CACHE_MAX_AGE_DAYS + 1);
    // Read from disk by a new process's cache: used now.
    expect(createCache<number>(dir).get(key(2))).toBe(2);
    expect(Date.now() - statSync(file(key(2))).mtimeMs).toBeLessThan(60_000);
    expect(pruneCache(dir)).toBe(2);
    expect([file(key(1)), file(key(2)), page, own].map((f) => existsSync(f))).toEqual([false, true, false, true]);
  });

  it('keeps entries younger than its age', () => {
    const dir = newDir();
    const cache = createCache<number>(dir);
    cache.set(key(3), 3);
    daysAgo(join(dir, key(3).slice(0, 2), `${key(3)}.json`), CACHE_MAX_AGE_DAYS - 1);
    expect(pruneCache(dir)).toBe(0);
    expect(createCache<number>(dir).get(key(3))).toBe(3);
  });
});
