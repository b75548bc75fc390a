/** Small helpers for the benchmark: medians, timing, the table printer, and the demo posts' programs. */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseMeta } from '../plugin/src/engine/options.ts';

export const median = (xs: number[]): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function timeMs(fn: () => unknown | Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export const gzipBytes = (s: string | Uint8Array) => gzipSync(s, { level: 9 }).length;

export interface Row {
  section: string;
  metric: string;
  value: number | string;
  unit: string;
  /** A budget or target, and whether it is met. */
  target?: string;
  ok?: boolean;
}

export function printTable(rows: Row[]) {
  const fmt = (v: number | string) =>
    typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 2 : 1)) : v;
  const cells = rows.map((r) => [
    r.section,
    r.metric,
    `${fmt(r.value)} ${r.unit}`.trim(),
    r.target ? `${r.target} ${r.ok ? 'ok' : 'MISSED'}` : '',
  ]);
  const head = ['section', 'metric', 'value', 'target'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i]!)).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
}

/** CPU time (user + system, ms) of the finished children of this process, from Linux's /proc; 0 elsewhere. */
export function childCpuMs(): number {
  try {
    // Fields after the command name: cutime and cstime are the 14th and 15th, in clock ticks (100 per second).
    const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[13]) + Number(f[14])) * 10;
  } catch {
    return 0;
  }
}

/** A memtrace block of the demo site, with the fence options that matter for tracing it. */
export interface DemoBlock {
  /** The post's file name without its extension, `#`, and the block's number in it (from 1). */
  name: string;
  code: string;
  maxSteps?: number;
  stdin?: string;
}

/** The memtrace blocks of the demo posts and pages under `root`, in the order `readdirSync` lists the files. */
export function demoBlocks(root: string): DemoBlock[] {
  const blocks: DemoBlock[] = [];
  for (const dir of ['content/posts', 'src/pages']) {
    for (const file of readdirSync(join(root, dir)).filter((f) => /\.mdx?$/.test(f))) {
      const text = readFileSync(join(root, dir, file), 'utf8');
      let n = 0;
      for (const m of text.matchAll(/^```(?:python|py) ([^\n]*\bmemtrace\b[^\n]*)\n([\s\S]*?)^```/gm)) {
        const opts = parseMeta(m[1]!);
        blocks.push({
          name: `${basename(file).replace(/\.mdx?$/, '')}#${++n}`,
          code: m[2]!,
          maxSteps: opts.maxSteps,
          stdin: opts.stdin,
        });
      }
    }
  }
  return blocks;
}
