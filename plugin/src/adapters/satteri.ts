/**
 * The Sätteri adapter: Astro 7's default Markdown processor does not run remark plugins, so memtrace registers an
 * mdast plugin with a `code` visitor there. The figure is spliced in as raw HTML (`mdxExpressions: false`, so the
 * braces of SVG and CSS are not read as MDX expressions).
 */
import { fileURLToPath } from 'node:url';
import { isMemtraceBlock, newDocument, type DocumentState, type Engine } from '../engine/index.ts';

interface CodeNode {
  lang?: string | null;
  meta?: string | null;
  value: string;
  position?: { start: { line: number; column: number } };
}

interface SatteriContext {
  fileURL: URL | undefined;
  readonly source: string;
  readonly sourceFormat: 'markdown' | 'mdx';
  data: Record<string, unknown>;
  replaceNode(node: unknown, content: { raw: string; mdxExpressions?: boolean }): void;
}

/** The Sätteri mdast plugin that hands each memtrace block of a document to `engine`, in order, and splices its figure in. */
export function satteriPlugin(engine: Engine) {
  // Sätteri may visit a document's blocks concurrently; chaining keeps them in order on the one runtime.
  const docs = new WeakMap<object, { state: DocumentState; queue: Promise<unknown> }>();
  return {
    name: 'memtrace',
    fingerprint: engine.fingerprint,
    options: { position: true },
    async code(node: CodeNode, ctx: SatteriContext) {
      if (!isMemtraceBlock(node.lang, node.meta)) return;
      let doc = docs.get(ctx.data);
      if (!doc) docs.set(ctx.data, (doc = { state: newDocument(), queue: Promise.resolve() }));
      const start = node.position?.start;
      const file = ctx.fileURL ? fileURLToPath(ctx.fileURL) : undefined;
      const run = doc.queue.then(() =>
        engine.process(
          {
            code: node.value,
            meta: node.meta ?? '',
            file,
            source: ctx.source,
            position: start && { line: start.line, column: start.column },
          },
          doc.state,
        ),
      );
      doc.queue = run.catch(() => {});
      const { html } = await run;
      // In MDX, raw HTML would become thousands of JSX elements (every SVG node) for the compiler and the bundler to
      // chew on; one string handed to Astro's Fragment costs nothing.
      if (ctx.sourceFormat === 'mdx')
        ctx.replaceNode(node, { raw: `<Fragment set:html={${JSON.stringify(html)}} />`, mdxExpressions: true });
      else ctx.replaceNode(node, { raw: html, mdxExpressions: false });
    },
  };
}
