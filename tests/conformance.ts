/**
 * Where the Python Tutor conformance set lives: a copy of it ships with the tests (tests/fixtures/conformance, see
 * its README), so no check depends on a folder outside the repository. `MEMTRACE_CONFORMANCE` points elsewhere.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const CONFORMANCE_DIR = resolve(
  process.env.MEMTRACE_CONFORMANCE ?? join(import.meta.dirname, 'fixtures/conformance'),
);

/** The folder of the conformance programs; throws when it is missing, so that no test passes without its data. */
export function conformancePrograms(): string {
  const dir = join(CONFORMANCE_DIR, 'programs');
  if (!existsSync(dir)) throw new Error(`the conformance programs are missing: ${dir} (set MEMTRACE_CONFORMANCE)`);
  return dir;
}
