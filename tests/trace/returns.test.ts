/** Returns that are not what they seem: a frame unwinding through `finally`, and a mutable default argument. */
import { describe, expect, it } from 'vitest';
import type { FunctionObject } from '../../plugin/src/trace/format.ts';
import { global, obj, trace } from './helpers.ts';

describe('returns', () => {
  it('gives a frame that an exception leaves through finally no return value', async () => {
    const t = await trace(
      'def risky():\n    try:\n        return 1 / 0\n    finally:\n        print("cleanup")\n\ndef ok():\n    return 5\n\nok()\nrisky()\n',
    );
    const returns = t.steps.filter((s) => s.event === 'return' && s.frames.length > 1);
    expect(returns.map((s) => s.frames.at(-1)!.name)).toEqual(['ok', 'risky']);
    expect(returns[0]!.frames.at(-1)!.returnValue).toEqual({ type: 'int', repr: '5' });
    expect(returns[1]!.frames.at(-1)!.returnValue).toBeUndefined();
    expect(t.steps.at(-1)!.event).toBe('uncaught');
  });

  it('shows a mutable default as it is now, not as it was first drawn', async () => {
    const t = await trace(
      'def add(item, cart=[]):\n    cart.append(item)\n    return cart\n\nadd("apple")\nadd("pear")\n',
    );
    const last = t.steps.at(-1)!;
    expect((obj(last, global(last, 'add')) as FunctionObject).params).toBe("item, cart=['apple', 'pear']");
    const first = t.steps.find((s) => global(s, 'add'))!;
    expect((obj(first, global(first, 'add')) as FunctionObject).params).toBe('item, cart=[]');
  });

  it('draws a function anew when its defaults, keyword defaults or name are replaced', async () => {
    const t = await trace(
      'def f(a=1, *, b=2):\n    pass\n\nf.__defaults__ = (True,)\nf.__kwdefaults__["b"] = 3\nf.__name__ = "g"\nx = 0\n',
    );
    const drawn = (line: number) => {
      const step = t.steps.find((s) => s.line === line)!;
      const fn = obj(step, global(step, 'f')) as FunctionObject;
      return `${fn.name}(${fn.params})`;
    };
    expect(drawn(4)).toBe('f(a=1, *, b=2)');
    expect(drawn(5)).toBe('f(a=True, *, b=2)');
    expect(drawn(6)).toBe('f(a=True, *, b=3)');
    expect(drawn(7)).toBe('g(a=True, *, b=3)');
  });
});
