/**
 * remark-memtrace: the unified adapter. Replaces each ```` ```python memtrace ```` block of an mdast tree with its
 * figure's hast tree (`data.hName`/`hProperties`/`hChildren`, as remark-expressive-code does), so it works in any
 * remark → rehype pipeline without `allowDangerousHtml`. Errors are reported through vfile with the block's position.
 */
import type { Element, Root as HastRoot } from 'hast';
import type { Code, Root, RootContent } from 'mdast';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import {
  createEngine,
  isMemtraceBlock,
  MemtraceError,
  newDocument,
  type Engine,
  type EngineOptions,
} from '../engine/index.ts';

/** Options of {@link remarkMemtrace}: an engine's options, or an engine to share. */
export interface RemarkMemtraceOptions extends EngineOptions {
  /** An engine shared with other adapters (the Astro integration passes one per build). */
  engine?: Engine;
  /** Ignored here; it makes hosts that hash their config (Astro's content layer) see a new memtrace. */
  fingerprint?: string;
}

/**
 * The figure's elements (the figure, and on a page's first figure the asset tags around it) as mdast nodes that
 * mdast-util-to-hast turns into exactly those elements.
 */
export function figureNodes(tree: HastRoot): RootContent[] {
  return tree.children
    .filter((n): n is Element => n.type === 'element')
    .map(
      (element) =>
        ({
          type: 'memtraceFigure',
          data: { hName: element.tagName, hProperties: element.properties, hChildren: element.children },
        }) as unknown as RootContent,
    );
}

/** The remark plugin: `unified().use(remarkMemtrace, options)`. */
export default function remarkMemtrace(options: RemarkMemtraceOptions = {}) {
  const engine = options.engine ?? createEngine(options);
  return async function transform(tree: Root, file: VFile): Promise<void> {
    const blocks: { node: Code; index: number; parent: { children: RootContent[] } }[] = [];
    visit(tree, 'code', (node, index, parent) => {
      if (parent && index !== undefined && isMemtraceBlock(node.lang, node.meta)) blocks.push({ node, index, parent });
    });
    const doc = newDocument();
    const replacements: (() => void)[] = [];
    // One after another: the blocks share one Pyodide runtime, and the figures of a page are numbered in order.
    for (const { node, index, parent } of blocks) {
      const start = node.position?.start;
      try {
        const { tree } = await engine.process(
          {
            code: node.value,
            meta: node.meta ?? '',
            file: file.path,
            source: String(file.value),
            position: start && { line: start.line, column: start.column },
          },
          doc,
        );
        const nodes = figureNodes(tree);
        replacements.push(() => parent.children.splice(index, 1, ...nodes));
      } catch (error) {
        if (!(error instanceof MemtraceError)) throw error;
        const place =
          error.location && start ? { line: error.location.line, column: error.location.column } : node.position;
        const message = file.message(error.reason + (error.frame ? `\n\n${error.frame}` : ''), {
          place,
          ruleId: 'memtrace',
          source: 'memtrace',
          cause: error,
        });
        message.fatal = true;
        throw message;
      }
    }
    // Last first, so that splicing never shifts an index still to be used.
    for (const replace of replacements.reverse()) replace();
  };
}
