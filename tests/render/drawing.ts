/**
 * What an SVG step draws, as a sorted list of primitives in absolute coordinates (rects, texts, other shapes, each
 * with its paint), whatever the grouping: rects packed into paths and drawings placed with <use> come out the same
 * as drawn in place. For comparing a figure drawn with `shared` to its standalone steps.
 */
const attrs = (tag: string): Record<string, string> =>
  Object.fromEntries([...tag.matchAll(/([\w:-]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));

const r1 = (v: number) => Math.round(v * 10) / 10;

export function drawing(svg: string, defs = ''): string[] {
  const groups = new Map<string, string>();
  for (const m of defs.matchAll(/<g id="([^"]+)">([\s\S]*?)<\/g>(?=<g id=|<marker|<polygon id=|$)/g))
    groups.set(m[1]!, m[2]!);
  const out: string[] = [];
  const walk = (body: string, dx: number, dy: number, outer: Record<string, string>) => {
    const stack: Record<string, string>[] = [outer];
    const paint = () => {
      const a = stack.at(-1)!;
      return ['fill', 'stroke', 'stroke-width', 'stroke-dasharray', 'font-size', 'opacity']
        .map((k) => a[k] ?? '')
        .join(',');
    };
    for (const m of body.matchAll(/<(\/?)(\w+)([^>]*?)\/?>([^<]*)/g)) {
      const [, close, name, rest, content] = m as unknown as string[];
      if (close) {
        if (name === 'g') stack.pop();
        continue;
      }
      const a = attrs(rest!);
      if (name === 'g') {
        stack.push({ ...stack.at(-1)!, ...a });
        continue;
      }
      if (name === 'use') {
        const x = dx + Number(a.x ?? 0);
        const y = dy + Number(a.y ?? 0);
        const id = a.href!.slice(1);
        const g = groups.get(id);
        if (g === undefined) out.push(`use ${id} ${r1(x)} ${r1(y)}`);
        else walk(g, x, y, stack.at(-1)!);
        continue;
      }
      const p = `${paint()}|${a.fill ?? ''}|${a.stroke ?? ''}`;
      if (name === 'rect' && a.x !== undefined)
        out.push(`rect ${p} ${r1(dx + Number(a.x))} ${r1(dy + Number(a.y))} ${a.width} ${a.height}`);
      else if (name === 'text') out.push(`text ${p} ${r1(dx + Number(a.x))} ${r1(dy + Number(a.y))} ${content}`);
      else if (name === 'path' && /^M[-\d.]+ [-\d.]+h[-\d.]+v/.test(a.d!)) {
        // Packed rects: M x y h w v h h -w z, then m dx dy ... from the last start.
        let sx = 0;
        let sy = 0;
        for (const r of a.d!.matchAll(/([Mm])([-\d.]+) ([-\d.]+)h([-\d.]+)v([-\d.]+)h[-\d.]+z/g)) {
          sx = r[1] === 'M' ? Number(r[2]) : sx + Number(r[2]);
          sy = r[1] === 'M' ? Number(r[3]) : sy + Number(r[3]);
          out.push(`rect ${p} ${r1(dx + sx)} ${r1(dy + sy)} ${r[4]} ${r[5]}`);
        }
      } else if (name === 'rect' || name === 'path' || name === 'polygon')
        out.push(`${name} ${p} ${dx} ${dy} ${rest!.trim()}`);
    }
  };
  walk(svg.replace(/<title[\s\S]*?<\/title>|<defs>[\s\S]*?<\/defs>/g, ''), 0, 0, {});
  return out.sort();
}
