/**
 * The text version of a step, for screen readers and for anyone who cannot see the picture: the same facts, strings
 * whole. Objects are named "object N", numbered in the order the figure first reaches them.
 */
import { isRef, type HeapObject, type Value } from '../trace/format.ts';
import type { FrameModel, OmittedModel, StepModel } from './model.ts';
import { ELLIPSIS, primitiveText, typeLabel } from './values.ts';

export interface TextContext {
  total: number;
  code: string[];
  objectNumber: (id: number) => number;
}

export function stepTitle(m: StepModel, total: number, title?: string): string {
  return `${title ? `${title}: ` : ''}Step ${m.ordinal} of ${total}, line ${m.line}`;
}

export function stepText(m: StepModel, ctx: TextContext): string {
  const v = (x: Value) => (isRef(x) ? `→ object ${ctx.objectNumber(x.ref)}` : primitiveText(x));
  const assign = (name: string, x: Value) => (isRef(x) ? `${name} ${v(x)}` : `${name} = ${v(x)}`);
  const codeAt = (line: number | undefined) => (line === undefined ? '' : (ctx.code[line - 1] ?? '').trim());
  const out: string[] = [];
  const event = { line: 'next to run', call: 'calling', return: 'returning', exception: 'raising', uncaught: 'uncaught exception' }[m.step.event];
  out.push(`Step ${m.ordinal} of ${ctx.total}, line ${m.line} (${m.unwinding ? 'exception leaving the function' : event}): ${codeAt(m.line)}`);
  if (m.prevLine !== undefined) out.push(`Just ran line ${m.prevLine}: ${codeAt(m.prevLine)}`);

  const changes: string[] = [];
  for (const f of m.frames) {
    for (const r of f.rows) {
      const what = r.imported ? `the names from ${r.imported.module} (now ${r.imported.names.length})` : r.name;
      if (r.mark) changes.push(`${what} in ${frameName(f)} (${r.mark})`);
    }
  }
  for (const o of m.objects) if (o.mark && o.status !== 'freed') changes.push(`object ${ctx.objectNumber(o.id)} (${o.mark})`);
  if (changes.length) out.push(`Changed: ${changes.join(', ')}`);

  out.push('Frames:');
  for (const [i, f] of m.frames.entries()) {
    const tags = [f.id ? `f${f.id}` : '', f.parent ? `parent f${f.parent}` : '', f.state === 'active' ? '' : f.state].filter(Boolean);
    out.push(`  ${frameName(f)}${tags.length ? ` (${tags.join(', ')})` : ''}:`);
    if (f.rows.length === 0) out.push('    (no variables)');
    for (const r of f.rows) {
      const line = r.imported
        ? `${r.imported.names.length} names from ${r.imported.module} (from ${r.imported.module} import *), not drawn: ${r.imported.names.join(', ')}`
        : assign(r.name, r.value);
      out.push(`    ${line}${r.mark ? ` (${r.mark})` : ''}`);
    }
    if (m.omitted?.afterIndex === i) out.push(`  ${omittedLabel(m.omitted)}, not shown`);
  }

  const live = m.objects.filter((o) => o.status !== 'freed');
  if (live.length) {
    out.push('Objects:');
    for (const o of live) {
      const notes = [o.mark, o.status === 'cycle' ? 'kept alive only by a reference cycle' : undefined].filter(Boolean);
      out.push(`  object ${ctx.objectNumber(o.id)}: ${describe(o.obj, v, assign)}${notes.length ? ` (${notes.join(', ')})` : ''}`);
    }
  }
  const freed = m.objects.filter((o) => o.status === 'freed');
  if (freed.length) {
    out.push(`Freed: ${freed.map((o) => `object ${ctx.objectNumber(o.id)} (${typeLabel(o.obj)})`).join(', ')}`);
  }
  if (m.stdout) out.push('Print output:', m.stdout.replace(/\n$/, ''));
  if (m.exception) out.push(`Exception: ${m.exception.type}: ${m.exception.message}`);
  return out.join('\n');
}

/** The gap a deep stack leaves in the frames column, as the picture and the text version both say it. */
export const omittedLabel = (o: OmittedModel, name = o.name): string =>
  `${ELLIPSIS} ${o.count} more ${o.count === 1 ? 'frame' : 'frames'}${name ? ` of ${name}` : ''}`;

const frameName = (f: FrameModel) => (f.id === 0 ? 'Global frame' : f.name);

function describe(o: HeapObject, v: (x: Value) => string, assign: (n: string, x: Value) => string): string {
  const more = o.more ? `, … ${o.more} more` : '';
  switch (o.kind) {
    case 'list':
    case 'tuple':
      return `${o.type} of ${o.items.length + (o.more ?? 0)}: ${o.items.map((x, i) => `[${i}] ${v(x)}`).join(', ')}${more}`;
    case 'set':
    case 'frozenset':
      return `${o.type} of ${o.items.length + (o.more ?? 0)}: ${o.items.map(v).join(', ')}${more}`;
    case 'dict':
      return `${o.type} of ${o.entries.length + (o.more ?? 0)}: ${o.entries.map(([k, x]) => `${v(k)}: ${v(x)}`).join(', ')}${more}`;
    case 'instance':
    case 'class':
      return `${typeLabel(o)}: ${o.attrs.map(([k, x]) => assign(k, x)).join(', ') || 'no attributes'}${more}`;
    case 'function':
      return `function ${o.name}(${o.params})${o.parentFrame ? ` [parent=f${o.parentFrame}]` : ''}`;
    case 'module':
      return `module ${o.name}`;
    case 'generator':
      return `generator ${o.name}, ${o.state}${o.frame ? `, at line ${o.frame.line}; ${o.frame.locals.map(([k, x]) => assign(k, x)).join(', ')}` : ''}`;
    default:
      return `${o.type}: ${o.repr}`;
  }
}
