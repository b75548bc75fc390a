/** Small helpers for the benchmark: medians, timing, and the table printer. */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

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
