/**
 * Colours. The SVGs never hold a colour of their own: every fill and stroke is `var(--memtrace-…, <light fallback>)`,
 * and THEME_CSS (also shipped as theme.css) gives the light and dark values. A site restyles a figure by setting
 * any of these properties on an ancestor.
 */

export interface ThemeColour {
  /** CSS custom property. */
  name: string;
  light: string;
  dark: string;
  /** What it paints, for the docs. */
  doc: string;
  /** What the stylesheet sets instead of light and dark, which stay the SVGs' fallback and the designed values. */
  sheet?: string;
}

/** The palette, keyed by the role the renderer uses. Order is the placeholder order (see placeholder()). */
export const PALETTE = {
  // No background of its own on a page: the figure sits on the host's, light or dark. A standalone SVG keeps white.
  bg: {
    name: '--memtrace-bg',
    light: '#ffffff',
    dark: '#0d1117',
    sheet: 'transparent',
    doc: "figure background (default: the page's)",
  },
  fg: { name: '--memtrace-fg', light: '#1f2328', dark: '#e6edf3', doc: 'text: code, names, values' },
  muted: {
    name: '--memtrace-muted',
    light: '#656d76',
    dark: '#8d96a0',
    doc: 'secondary text: line numbers, indices, type labels, exited frames',
  },
  border: { name: '--memtrace-border', light: '#8c959f', dark: '#6e7681', doc: 'box and cell borders' },
  codeBg: {
    name: '--memtrace-code-bg',
    light: '#f6f8fa',
    dark: '#161b22',
    doc: 'code panel and print output background',
  },
  frameBg: { name: '--memtrace-frame-bg', light: '#f6f8fa', dark: '#161b22', doc: 'frame background' },
  frameBorder: { name: '--memtrace-frame-border', light: '#afb8c1', dark: '#3d444d', doc: 'frame border' },
  accent: {
    name: '--memtrace-accent',
    light: '#0969da',
    dark: '#4493f8',
    doc: 'running frame border, next-line arrow',
  },
  runningBg: { name: '--memtrace-running-bg', light: '#ddf4ff', dark: '#132a4a', doc: 'running frame background' },
  nextBg: {
    name: '--memtrace-next-line-bg',
    light: '#ddf4ff',
    dark: '#132a4a',
    doc: 'band behind the next line to run',
  },
  prev: {
    name: '--memtrace-prev-line',
    light: '#6e7781',
    dark: '#9198a1',
    doc: 'hollow arrow at the line that just ran',
  },
  cellBg: { name: '--memtrace-cell-bg', light: '#ffffff', dark: '#0d1117', doc: 'value cells' },
  objectBg: {
    name: '--memtrace-object-bg',
    light: '#fff8c5',
    dark: '#2e2a0f',
    doc: 'list, dict, instance and other object cells',
  },
  tupleBg: { name: '--memtrace-tuple-bg', light: '#e7ecf5', dark: '#1d2433', doc: 'tuple and frozenset cells' },
  keyBg: { name: '--memtrace-key-bg', light: '#f3eedb', dark: '#26231a', doc: 'dict keys, attribute names' },
  changed: {
    name: '--memtrace-changed',
    light: '#bc4c00',
    dark: '#f0883e',
    doc: 'outline and symbol of a new or changed variable or object',
  },
  changedBg: { name: '--memtrace-changed-bg', light: '#fff1e5', dark: '#3d1e00', doc: 'tint of a new or changed cell' },
  garbage: {
    name: '--memtrace-garbage',
    light: '#a40e26',
    dark: '#ff7b72',
    doc: 'freed objects and objects kept alive by a cycle',
  },
  arrow: { name: '--memtrace-arrow', light: '#3d444d', dark: '#b7bdc8', doc: 'reference dots and arrows' },
  error: { name: '--memtrace-error', light: '#a40e26', dark: '#ff7b72', doc: 'exception text and border' },
  errorBg: { name: '--memtrace-error-bg', light: '#ffebe9', dark: '#3c0f12', doc: 'exception background' },
} as const satisfies Record<string, ThemeColour>;

export type Colour = keyof typeof PALETTE;
const ROLES = Object.keys(PALETTE) as Colour[];

/**
 * satori cannot carry `var()` through, so it gets a unique stand-in hex per role, which the SVG writer swaps for
 * the custom property. No real colour is ever passed to satori, so a stand-in cannot collide.
 */
export const placeholder = (c: Colour): string => `#0000${(ROLES.indexOf(c) + 1).toString(16).padStart(2, '0')}`;

const byPlaceholder = new Map<string, string>(ROLES.map((c) => [placeholder(c), paint(c)]));

/** The attribute value for a role: the custom property with the light value as fallback. */
export function paint(c: Colour): string {
  return `var(${PALETTE[c].name},${PALETTE[c].light})`;
}

/** Maps a satori fill back to its role's paint. */
export function paintOfPlaceholder(hex: string): string {
  const p = byPlaceholder.get(hex.toLowerCase());
  if (p === undefined) throw new Error(`memtrace render: satori emitted a colour that is not a placeholder: ${hex}`);
  return p;
}

const sheetValue = (c: Colour, mode: 'light' | 'dark'): string => {
  const colour: ThemeColour = PALETTE[c];
  return colour.sheet ?? colour[mode];
};

const block = (mode: 'light' | 'dark', docs = false) =>
  // Without the documentation, no space after the colon: minifiers keep a custom property's value as written.
  ROLES.map(
    (c) =>
      `  ${PALETTE[c].name}:${docs ? ' ' : ''}${sheetValue(c, mode)};${docs && mode === 'light' ? ` /* ${PALETTE[c].doc} */` : ''}`,
  ).join('\n');

const css = (docs: boolean) => `/* memtrace diagram colours. Override any of these on an ancestor of the figure. */
:where(:root), :where([data-theme='light']) {
${block('light', docs)}
}
@media (prefers-color-scheme: dark) {
  :where(:root:not([data-theme='light'])) {
${block('dark', docs)
  .split('\n')
  .map((l) => '  ' + l)
  .join('\n')}
  }
}
:where([data-theme='dark'], html.dark) {
${block('dark', docs)}
}
`;

/**
 * Light values by default; dark under `prefers-color-scheme: dark` unless an ancestor says `data-theme="light"`,
 * and always under `data-theme="dark"` (Starlight and Docusaurus set it on <html>) or `html.dark` (VitePress's class). `:where()` keeps the specificity at zero, so
 * any rule of the site's own that sets these properties wins.
 */
export const THEME_CSS = css(false);

/** The same, with what each property paints: the content of theme.css, the documented copy for sites. */
export const THEME_CSS_DOCUMENTED = css(true);
