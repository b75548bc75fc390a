/**
 * A static file server for the built site, as a static host would serve it: files under `base`, directories as their
 * index.html, 404 for everything else (so a missing asset or an absolute URL that ignores `base` shows up as a
 * failed request in the browser tests). No dependency.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.xml': 'application/xml',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticServer {
  /** Origin plus base, ending in `/`, e.g. `http://127.0.0.1:41234/sub/`. */
  url: string;
  /** Paths that were requested and not found (so tests can assert there were none). */
  missing: string[];
  close(): Promise<void>;
}

export async function serveStatic(root: string, base = '/'): Promise<StaticServer> {
  const prefix = base.endsWith('/') ? base : base + '/';
  const missing: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = resolveFile(root, prefix, path);
    if (!file) {
      missing.push(path);
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (file.redirect) {
      res.writeHead(301, { location: path + '/' }).end();
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file.path)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
    });
    createReadStream(file.path).pipe(res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    missing,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

function resolveFile(root: string, prefix: string, path: string): { path: string; redirect?: boolean } | undefined {
  if (!path.startsWith(prefix) && path + '/' !== prefix) return undefined;
  const rel = normalize(path.slice(prefix.length - 1));
  const full = join(root, rel);
  if (full !== root && !full.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
  if (!existsSync(full)) return undefined;
  if (statSync(full).isDirectory()) {
    if (!path.endsWith('/')) return { path: full, redirect: true };
    const index = join(full, 'index.html');
    return existsSync(index) ? { path: index } : undefined;
  }
  return { path: full };
}
