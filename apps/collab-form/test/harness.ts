import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from '@varstream/varstream';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { WebSocket } from 'ws';

export const APP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST_DIR = join(APP_DIR, 'dist');
export const REPO_ROOT = resolve(APP_DIR, '../..');
export const FIELDS = ['firstname', 'lastname', 'email', 'subject', 'message'] as const;

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Polls `check` until it returns something other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

// --- the real server, as a child process -------------------------------------

/** The `varstream-server` CLI of the workspace package (its build output). */
export function serverCli(): string {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('@varstream/server/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { bin: Record<string, string> };
  return join(dirname(pkgPath), pkg.bin['varstream-server']!);
}

export interface ServerProcess {
  readonly port: number;
  /** http://127.0.0.1:<port>/ */
  readonly url: string;
  readonly dataDir: string;
  readonly child: ChildProcess;
  readonly output: () => string;
  /** SIGKILL, and wait for the process to be gone. */
  kill(): Promise<void>;
  /** SIGTERM (graceful), and wait for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts `varstream-server --host 127.0.0.1 --port <port> --data <dataDir>
 * --static dist` (or `staticDir`) and waits for its "listening on" line.
 * Port 0 picks a free one.
 */
export async function startServer(options: {
  dataDir: string;
  port?: number;
  staticDir?: string;
  args?: readonly string[];
}): Promise<ServerProcess> {
  const args = [
    serverCli(),
    '--host',
    '127.0.0.1',
    '--port',
    String(options.port ?? 0),
    '--data',
    options.dataDir,
    '--static',
    options.staticDir ?? DIST_DIR,
    '--log-level',
    'warn',
    ...(options.args ?? []),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));

  const port = await waitFor(
    () => {
      if (gone) throw new Error(`varstream-server exited early:\n${output}`);
      const m = /listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(output);
      return m ? Number(m[1]) : undefined;
    },
    'varstream-server to listen',
    20_000,
  ).catch((err: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${err.message}\n${output}`, { cause: err });
  });

  const end = async (signal: NodeJS.Signals) => {
    if (!gone) child.kill(signal);
    await Promise.race([
      exited,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error(`server did not exit on ${signal}`)), 10_000),
      ),
    ]);
  };
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    dataDir: options.dataDir,
    child,
    output: () => output,
    kill: () => end('SIGKILL'),
    stop: async () => {
      await end('SIGTERM').catch(() => end('SIGKILL'));
    },
  };
}

export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * The server's tree, read the way any plain VarStream reader would: connect
 * without `vs=1`, take the welcome frame's snapshot, parse it.
 */
export async function serverTree(port: number, doc = ''): Promise<Record<string, unknown>> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/${doc}`);
  try {
    const frame = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no welcome frame in 10 s')), 10_000);
      socket.once('message', (data) => {
        clearTimeout(timer);
        resolve(String(data));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    if (!frame.includes('#vs snapshot')) throw new Error(`not a snapshot:\n${frame}`);
    // Protocol lines are VarStream comments: a plain parse ignores them.
    return (parse(frame) ?? {}) as Record<string, unknown>;
  } finally {
    socket.close();
  }
}

// --- Chromium -------------------------------------------------------------------

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/**
 * A page of the demo in its own browser context (its own localStorage: one
 * person). Browser console errors are collected in `errors`.
 */
export async function openUser(
  browser: Browser,
  baseUrl: string,
  options: { name?: string; viewport?: { width: number; height: number } } = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 640, height: 800 },
  });
  if (options.name !== undefined) {
    // The name a person would have typed on an earlier visit.
    await context.addInitScript((name) => {
      if (localStorage.getItem('collab-form:name') === null) {
        localStorage.setItem('collab-form:name', name);
      }
    }, options.name);
  }
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(baseUrl);
  await waitForStatus(page, 'open');
  return { context, page, errors };
}

export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  return errors;
}

export async function waitForStatus(page: Page, status: string, timeoutMs = 15_000): Promise<void> {
  await page.waitForSelector(`body[data-status="${status}"]`, { timeout: timeoutMs });
}

/** Waits until the page has nothing unacknowledged and is connected. */
export async function waitSynced(page: Page, timeoutMs = 15_000): Promise<void> {
  await page.waitForFunction(
    () =>
      document.body.dataset.status === 'open' &&
      document.getElementById('pending')?.dataset.pending === '0',
    undefined,
    { timeout: timeoutMs },
  );
}

export type FormValues = Record<(typeof FIELDS)[number], string>;

export async function formValues(page: Page): Promise<FormValues> {
  return page.evaluate(
    (fields) => {
      const out: Record<string, string> = {};
      for (const f of fields) out[f] = (document.getElementById(f) as HTMLInputElement).value;
      return out;
    },
    FIELDS as unknown as string[],
  ) as Promise<FormValues>;
}

export async function renderedTree(page: Page): Promise<string> {
  return (await page.textContent('#tree')) ?? '';
}

/** Waits until every page shows the same five values and the same tree; returns them. */
export async function converged(
  pages: Page[],
  what = 'the pages to converge',
  timeoutMs = 15_000,
): Promise<{ values: FormValues; tree: string }> {
  return waitFor(
    async () => {
      const states = await Promise.all(
        pages.map(async (p) => ({
          values: await formValues(p),
          tree: await renderedTree(p),
          synced: await p.evaluate(
            () =>
              document.body.dataset.status === 'open' &&
              document.getElementById('pending')?.dataset.pending === '0',
          ),
        })),
      );
      const first = JSON.stringify(states[0]);
      const same = states.every((s) => s.synced && JSON.stringify(s) === first);
      return same ? { values: states[0]!.values, tree: states[0]!.tree } : undefined;
    },
    what,
    timeoutMs,
  );
}
