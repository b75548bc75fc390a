/**
 * Which Markdown files have blocks being turned into figures. A dev server that renders a page while its file is
 * saved again can finish the older render last; the Astro adapter waits for a file's work to end before it reports
 * the file changed once more (see adapters/astro-saves.ts), so that the newest version is what stays.
 */
export function fileWork() {
  const files = new Map<string, { running: number; done: Promise<void>; end: () => void }>();
  return {
    /** Runs `fn` as work on `file`. */
    async track<T>(file: string | undefined, fn: () => Promise<T>): Promise<T> {
      if (file === undefined) return fn();
      let work = files.get(file);
      if (!work) {
        let end!: () => void;
        const done = new Promise<void>((resolve) => (end = resolve));
        files.set(file, (work = { running: 0, done, end }));
      }
      work.running++;
      try {
        return await fn();
      } finally {
        if (--work.running === 0) {
          files.delete(file);
          work.end();
        }
      }
    },
    /** Settles once no block of `file` is being processed; `undefined` when none is now. */
    settled: (file: string): Promise<void> | undefined => files.get(file)?.done,
  };
}
