/** The satori element the fragment builders produce: a flex `div` with a style, children and an optional key. */

/** A satori element; `key` names it as an anchor whose laid-out box is read back (see sheet.ts). */
export interface El {
  type: 'div';
  key?: string;
  props: { style: Record<string, unknown>; children?: (El | string)[] | string };
}

/** A flex box (the only layout the fragments use); `null` and `false` children are dropped. */
export const div = (
  style: Record<string, unknown>,
  children?: (El | string | null | false)[] | string,
  key?: string,
): El => ({
  type: 'div',
  key,
  props: {
    style: { display: 'flex', boxSizing: 'border-box', ...style },
    children: Array.isArray(children)
      ? (children.filter((c) => c !== null && c !== false) as (El | string)[])
      : children,
  },
});
