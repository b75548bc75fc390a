/**
 * The longest functions of the package's source, for keeping every function short enough to read in one go.
 *
 * A function's length is its lines from its first line (`function`, the parameters of an arrow) to its closing
 * brace, nested functions included: a function that holds a long closure is as long to read as the two together.
 *
 * ```sh
 * npx node scripts/longest-functions.ts               # the 6 longest functions in plugin/src
 * npx node scripts/longest-functions.ts --top 20      # the 20 longest
 * npx node scripts/longest-functions.ts --max 80      # also exits 1 when one is longer than 80 lines
 * npx node scripts/longest-functions.ts --dir bench   # another folder
 * ```
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import ts from 'typescript';

/** One function and its length. */
export interface FunctionLength {
  /** Lines from its first line to its last, both included. */
  lines: number;
  /** File path as given (the folder joined with the path inside it). */
  file: string;
  /** 1-based line it starts on. */
  line: number;
  /** Its name, the variable or property it is assigned to, or `<anonymous>`. */
  name: string;
}

/** A function's name, or the name of what it is assigned to. */
function nameOf(node: ts.FunctionLikeDeclaration): string {
  if (node.name) return node.name.getText();
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
    return parent.name.getText();
  }
  return '<anonymous>';
}

/** Every function of one TypeScript source, with its length. */
export function functionsOf(file: string, text: string): FunctionLength[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line;
  const out: FunctionLength[] = [];
  const visit = (node: ts.Node) => {
    if (
      ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isArrowFunction(node) ||
      ts.isFunctionExpression(node) ||
      ts.isGetAccessorDeclaration(node) ||
      ts.isSetAccessorDeclaration(node) ||
      ts.isConstructorDeclaration(node)
    ) {
      const first = lineOf(node.getStart());
      out.push({ lines: lineOf(node.getEnd()) - first + 1, file, line: first + 1, name: nameOf(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

/** Every function of the `.ts` files under `dir`, longest first. */
export function longestFunctions(dir: string): FunctionLength[] {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => /\.[cm]?ts$/.test(f));
  return files
    .flatMap((f) => functionsOf(join(dir, f), readFileSync(join(dir, f), 'utf8')))
    .sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file) || a.line - b.line);
}

function main(): number {
  const { values } = parseArgs({
    options: { dir: { type: 'string', default: 'plugin/src' }, top: { type: 'string' }, max: { type: 'string' } },
  });
  const max = values.max === undefined ? undefined : Number(values.max);
  const top = values.top === undefined ? 6 : Number(values.top);
  if ((max !== undefined && !(max > 0)) || !(top >= 0)) {
    console.error('usage: longest-functions.ts [--dir DIR] [--top N] [--max LINES]');
    return 2;
  }
  const all = longestFunctions(values.dir);
  for (const f of all.slice(0, top)) console.log(`${f.lines} ${f.file}:${f.line} ${f.name}`);
  if (max === undefined) return 0;
  const over = all.filter((f) => f.lines > max);
  if (over.length === 0) return 0;
  console.error(`${over.length} function${over.length === 1 ? '' : 's'} longer than ${max} lines:`);
  for (const f of over) console.error(`  ${f.lines} ${f.file}:${f.line} ${f.name}`);
  return 1;
}

if (import.meta.main) process.exitCode = main();
