/**
 * What a reader's eye gets from the figures of a page, measured in a real browser: the size at which each text
 * reaches the screen (font size × the on-screen scale of its SVG, or the computed size of HTML text), whether the
 * page scrolls sideways, and which figures pan inside their own boxes. Shared by the browser tests and the bench.
 */
import type { Locator, Page } from 'playwright-core';

/** One page at one width. */
export interface Readability {
  /** On-screen size in CSS px of every visible text of every figure's current step (SVG and HTML). */
  sizes: number[];
  /** The page itself scrolls sideways. */
  pageOverflow: boolean;
  /**
   * Ids of figures with a visible part wider than its box (the reader has to pan to see it), other than a structure
   * that pans in a box of its own.
   */
  panning: string[];
  /** Ids of figures with a structure too wide for the column, which pans in its own box (`.mt-pan`). */
  bands: string[];
  /** Figure ids on the page. */
  figures: string[];
}

/** The widths at which figures are checked: two phones, a tablet, a desktop. */
export const WIDTHS = [360, 390, 768, 1280] as const;

/** Measures the page as it is laid out now. Only rendered texts count: hidden steps and closed details do not. */
export function measureReadability(page: Page): Promise<Readability> {
  return page.evaluate(() => {
    const visible = (el: Element) => {
      const r = el.getBoundingClientRect();
      return (
        r.width > 0 && r.height > 0 && (el as HTMLElement).checkVisibility?.({ visibilityProperty: true }) !== false
      );
    };
    const sizes: number[] = [];
    const panning: string[] = [];
    const bands: string[] = [];
    const figures = [...document.querySelectorAll<HTMLElement>('figure.memtrace')];
    for (const fig of figures) {
      for (const svg of fig.querySelectorAll<SVGSVGElement>('svg')) {
        if (svg.closest('.memtrace-defs') || !visible(svg)) continue;
        // The SVG's scale on screen: its drawn width over its user-space width.
        const vb = svg.viewBox.baseVal;
        const userWidth = vb && vb.width > 0 ? vb.width : svg.width.baseVal.value;
        const scale = userWidth > 0 ? svg.getBoundingClientRect().width / userWidth : 1;
        // Texts drawn in place, and texts a <use> brings from the shared definitions.
        const texts: SVGTextElement[] = [...svg.querySelectorAll<SVGTextElement>('text')];
        for (const use of svg.querySelectorAll<SVGUseElement>('use')) {
          const href = use.getAttribute('href') ?? use.getAttribute('xlink:href');
          const target = href?.startsWith('#') ? document.getElementById(href.slice(1)) : null;
          if (!target) continue;
          if (target instanceof SVGTextElement) texts.push(target);
          texts.push(...target.querySelectorAll<SVGTextElement>('text'));
        }
        for (const t of texts) {
          if (!t.textContent?.trim()) continue;
          const px = parseFloat(getComputedStyle(t).fontSize);
          // A text's own transform (rare) scales it too.
          const m = t.transform.baseVal.consolidate()?.matrix;
          const own = m ? Math.hypot(m.a, m.b) : 1;
          sizes.push(px * scale * own);
        }
      }
      // HTML text inside the figure (code pane, output, notes, controls' labels), where it is rendered.
      const walker = document.createTreeWalker(fig, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!el || el.closest('svg') || !n.textContent?.trim() || !visible(el)) continue;
        if (el.closest('[aria-hidden=true], .memtrace-live, summary')) continue;
        sizes.push(parseFloat(getComputedStyle(el).fontSize));
      }
      // A visible box whose content is wider than the box: the reader pans inside the figure.
      const pans = [...fig.querySelectorAll<HTMLElement>('*')].filter((el) => {
        if (el.closest('svg') || !visible(el)) return false;
        const o = getComputedStyle(el).overflowX;
        return (o === 'auto' || o === 'scroll') && el.scrollWidth > el.clientWidth + 1;
      });
      if (pans.some((el) => !el.matches('.mt-pan'))) panning.push(fig.id);
      if (pans.some((el) => el.matches('.mt-pan'))) bands.push(fig.id);
    }
    const root = document.scrollingElement ?? document.documentElement;
    const pageOverflow = root.scrollWidth > root.clientWidth + 1;
    return { sizes, pageOverflow, panning, bands, figures: figures.map((f) => f.id) };
  });
}

/** The q-quantile (0..1) of xs, by nearest rank; NaN for no values. */
export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

/**
 * How different two screenshots of the same size are: the mean absolute difference of their colour channels, 0 (the
 * same) to 255, decoded by the browser itself.
 */
export function imageDifference(page: Page, a: Buffer, b: Buffer): Promise<number> {
  return page.evaluate(
    async ([a, b]) => {
      const pixels = async (data: string) => {
        const img = new Image();
        img.src = `data:image/png;base64,${data}`;
        await img.decode();
        const canvas = document.createElement('canvas');
        [canvas.width, canvas.height] = [img.naturalWidth, img.naturalHeight];
        const ctx = canvas.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        return ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      };
      const [pa, pb] = [await pixels(a), await pixels(b)];
      if (pa.length !== pb.length) return 255;
      let sum = 0;
      for (let i = 0; i < pa.length; i++) if (i % 4 !== 3) sum += Math.abs(pa[i]! - pb[i]!);
      return sum / ((pa.length / 4) * 3);
    },
    [a.toString('base64'), b.toString('base64')] as const,
  );
}

/** What the reader sees of a figure's current step: the line to run, and the part of the diagram the step changed. */
export interface StepView {
  /** The next line to run is on screen, inside the code pane's visible part. */
  lineSeen: boolean;
  /** Top and bottom (viewport px) of the step's change marks together; undefined when the step changed nothing. */
  change?: [number, number];
  /** Where the screen is free for the diagram: below the code pane (pinned or not) and the controls, to the bottom. */
  free: [number, number];
  /** The change marks are all on screen, below the code pane. */
  changeSeen: boolean;
}

/** Measures `StepView` for a figure's current step (change marks: the SVG's outlines, tints and ✱ in the changed colour). */
export function stepView(fig: Locator): Promise<StepView> {
  return fig.evaluate((f) => {
    const step = f.querySelector('.memtrace-step.is-current')!;
    const line = step.querySelector('.mt-n')!.getBoundingClientRect();
    const pane = step.querySelector('.mt-src')!.getBoundingClientRect();
    const controls = f.querySelector('.memtrace-controls')!.getBoundingClientRect();
    const lineSeen =
      line.top >= Math.max(0, pane.top, controls.bottom) - 1 && line.bottom <= Math.min(innerHeight, pane.bottom) + 1;
    const marks = [...step.querySelectorAll('.mt-dia [stroke*=changed], .mt-dia [fill*=changed]')]
      .map((m) => m.getBoundingClientRect())
      .filter((r) => r.height > 0);
    // The pane hides what lies under it where it is above the diagram (pinned, on a phone); beside it, nothing.
    const over = pane.right > step.querySelector('.mt-dia')!.getBoundingClientRect().left + 1 ? pane.bottom : 0;
    const free: [number, number] = [Math.max(controls.bottom, over), innerHeight];
    if (marks.length === 0) return { lineSeen, free, changeSeen: true };
    const change: [number, number] = [Math.min(...marks.map((r) => r.top)), Math.max(...marks.map((r) => r.bottom))];
    return { lineSeen, change, free, changeSeen: change[0] >= free[0] - 1 && change[1] <= free[1] + 1 };
  });
}
