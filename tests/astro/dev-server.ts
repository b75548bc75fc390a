/**
 * `astro dev` on a copy of a fixture site, for the dev-loop tests: start it, fetch its pages, wait until a page shows
 * what a save should have made of it, stop it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Vitest's own variables (VITEST, NODE_ENV=test, ...) would make Vite inside astro dev behave as under test. */
const cleanEnv = () =>
  Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_ENV' && k !== 'TEST'),
  );

export const hasFigure = (html: string) => html.includes('class="memtrace') && !html.includes('memtrace-error');

/** A dev server on a copy of a fixture (`site`, removed by `stop`). */
export interface DevServer {
  site: string;
  port: number;
  /** Everything the server printed so far. */
  log(): string;
  fetchPage(path: string): Promise<{ status: number; html: string }>;
  /** Polls `path` until `ok` holds (the dev server re-renders a saved file asynchronously); throws after 3 minutes. */
  until(path: string, ok: (html: string, status: number) => boolean, what: string): Promise<string>;
  /** Whether the server process is still running. */
  alive(): boolean;
  stop(): void;
}

/** Starts `astro dev` on a copy of `tests/fixtures/astro/<fixture>`, with its own empty cache directory. */
export function startDevServer(fixture: string, name: string): DevServer {
  const site = join(root, 'tests/.tmp', `${name}-${process.pid}`);
  const port = 4000 + ((process.pid + name.length * 97) % 900);
  cpSync(join(root, 'tests/fixtures/astro', fixture), site, { recursive: true });
  const server: ChildProcess = spawn(
    'npx',
    ['astro', 'dev', '--root', site, '--port', String(port), '--host', '127.0.0.1'],
    {
      cwd: root,
      env: { ...cleanEnv(), ASTRO_TELEMETRY_DISABLED: '1', FIXTURE_CACHE_DIR: mkdtempSync(join(tmpdir(), 'mt-dev-')) },
      detached: true,
    },
  );
  let log = '';
  server.stdout!.on('data', (d) => (log += d));
  server.stderr!.on('data', (d) => (log += d));
  const fetchPage = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(60_000) });
    return { status: res.status, html: await res.text() };
  };
  return {
    site,
    port,
    log: () => log,
    fetchPage,
    async until(path, ok, what) {
      let html = '';
      for (let i = 0; i < 360; i++) {
        try {
          const r = await fetchPage(path);
          html = r.html;
          if (ok(html, r.status)) return html;
        } catch {}
        await sleep(500);
      }
      // The requests polled for would push what the server did out of a CI log's tail.
      const events = log.split('\n').filter((line) => !/\[\d{3}\]\S*\s+\//.test(line));
      throw new Error(`timed out waiting for ${what}; server log, requests left out:\n${events.join('\n')}`);
    },
    alive: () => server.exitCode === null && server.signalCode === null,
    stop() {
      if (server.pid) process.kill(-server.pid, 'SIGTERM');
      rmSync(site, { recursive: true, force: true });
    },
  };
}
