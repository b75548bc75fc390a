/**
 * Where the Python tracer lives: four modules under `python/`, run in this order into one namespace (each relies on
 * names the earlier ones define, the way a single file would). The sandboxed child (child.ts) and the in-process
 * loader (dev-run.ts) both load them from this list; the child may read these files and nothing else of memtrace.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The tracer's modules in load order: the run loop, I/O and isolation (`run.py`, whose `run_trace` is the entry
 * point); heap reachability and cycles (`heap.py`); the native encoder (`native.py`); the Python Tutor encoder
 * (`pytutor.py`).
 */
export const TRACER_MODULES = ['run.py', 'heap.py', 'native.py', 'pytutor.py'] as const;

/** The folder that holds {@link TRACER_MODULES}, next to this module (in `src/` and in `dist/` alike). */
export const TRACER_DIR = fileURLToPath(new URL('./python/', import.meta.url));

/** Absolute paths of the tracer's modules in load order. */
export function tracerModulePaths(dir: string = TRACER_DIR): string[] {
  return TRACER_MODULES.map((name) => join(dir, name));
}

/** The tracer as one Python source (its modules joined in load order), for harnesses that exec a single string. */
export function tracerSource(dir: string = TRACER_DIR): string {
  return tracerModulePaths(dir)
    .map((path) => readFileSync(path, 'utf8'))
    .join('\n\n');
}
