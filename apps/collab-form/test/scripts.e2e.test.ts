import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  formValues,
  launchBrowser,
  REPO_ROOT,
  serverTree,
  tempDir,
  waitFor,
  waitSynced,
} from './harness.js';

/** `pnpm dev` and `pnpm start` are `exec node scripts/dev.mjs` / `scripts/start.mjs`. */
interface Script {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exit: Promise<number | null>;
}

function runScript(name: string, env: Record<string, string>): Script {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'scripts', name)], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exit };
}

async function exitCode(script: Script, timeoutMs = 15_000): Promise<number | null> {
  return Promise.race([
    script.exit,
    new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`no exit in ${timeoutMs} ms:\n${script.output()}`)),
        timeoutMs,
      ),
    ),
  ]);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** The close code the server gives a browser-like connection from `origin`. */
async function closeCodeFrom(port: number, origin: string): Promise<number | 'open'> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/`, { origin });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no answer')), 10_000);
    socket.once('message', () => {
      clearTimeout(timer);
      socket.close();
      resolve('open');
    });
    socket.once('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    socket.once('error', () => {});
  });
}

let browser: Browser;
const running: Script[] = [];
const data = tempDir('collab-form-scripts-');

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const s of running) if (s.child.exitCode === null) s.child.kill('SIGKILL');
  await browser?.close();
  data.remove();
});

describe('pnpm start (scripts/start.mjs)', () => {
  it('serves the built app from the server on one port, seeded, and stops on SIGTERM', async () => {
    const port = await freePort();
    const dataDir = join(data.path, 'start');
    const start = runScript('start.mjs', { PORT: String(port), VARSTREAM_DATA: dataDir });
    running.push(start);
    const url = `http://127.0.0.1:${port}/`;
    await waitFor(() => start.output().includes(`Open ${url} in two windows`), 'the URL banner');

    const page = await browser.newPage();
    await page.goto(url);
    await waitSynced(page);
    expect((await formValues(page)).firstname).toBe('Mickaël'); // the 2013 demo's saved form
    await page.close();

    // Only pages of the demo itself may open the document.
    expect(await closeCodeFrom(port, `http://localhost:${port}`)).toBe('open');
    expect(await closeCodeFrom(port, 'https://elsewhere.example')).toBe(4403);

    start.child.kill('SIGTERM');
    expect(await exitCode(start)).toBe(0);
    expect(await portIsFree(port)).toBe(true);
  });

  it('says which port is taken and exits', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const { port } = blocker.address() as { port: number };
    try {
      const start = runScript('start.mjs', {
        PORT: String(port),
        VARSTREAM_DATA: join(data.path, 'x'),
      });
      running.push(start);
      expect(await exitCode(start)).toBe(1);
      expect(start.output()).toContain(`port ${port} on 127.0.0.1 is already in use (PORT)`);
    } finally {
      blocker.close();
    }
  });
});

/** Opens the document's WebSocket through Vite's proxy, then resets the TCP connection (RST). */
async function resetProxiedSocket(port: number): Promise<void> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/?vs=1`, {
    origin: `http://127.0.0.1:${port}`,
  });
  const raw = new Promise<Socket>((resolve, reject) => {
    socket.once('upgrade', (response) => resolve(response.socket));
    socket.once('error', reject);
  });
  const opened = new Promise<void>((resolve) => socket.once('open', () => resolve()));
  await opened;
  (await raw).resetAndDestroy();
}

interface DevPorts {
  readonly server: number;
  readonly vite: number;
}

async function freePorts(): Promise<DevPorts> {
  return { server: await freePort(), vite: await freePort() };
}

/** Starts `pnpm dev` on `ports` with its data in `dataName`; resolves once it prints its URL. */
async function startDev(ports: DevPorts, dataName: string): Promise<{ dev: Script; url: string }> {
  const dev = runScript('dev.mjs', {
    VARSTREAM_PORT: String(ports.server),
    VITE_PORT: String(ports.vite),
    HOST: '127.0.0.1',
    VARSTREAM_DATA: join(data.path, dataName),
    VARSTREAM_SKIP_BUILD: '1', // `pnpm test` builds first
  });
  running.push(dev);
  const url = `http://127.0.0.1:${ports.vite}/`;
  await waitFor(
    () => dev.output().includes(`Open ${url} in two windows`),
    'the URL banner',
    30_000,
  );
  return { dev, url };
}

describe('pnpm dev (scripts/dev.mjs)', () => {
  // Two tests, one after the other, on the same data directory: the second
  // starts `pnpm dev` again and finds what the first typed.
  const ports = freePorts();

  /** Starts `pnpm dev`, opens its URL in a page, checks the text, stops it with SIGINT. */
  async function devRound(edit: boolean): Promise<void> {
    const { server, vite } = await ports;
    const { dev, url } = await startDev({ server, vite }, 'dev');

    // The page comes from Vite; its WebSocket goes through Vite's proxy.
    const page = await browser.newPage();
    await page.goto(url);
    await waitSynced(page, 30_000);
    if (edit) {
      await page.click('#lastname');
      await page.keyboard.press('End');
      await page.keyboard.type(' (dev)');
      await waitSynced(page);
    }
    expect((await formValues(page)).lastname).toBe('Vendetta (dev)');
    expect(((await serverTree(server)).form as Record<string, string>).lastname).toBe(
      'Vendetta (dev)',
    );
    await page.close();

    dev.child.kill('SIGINT');
    expect(await exitCode(dev)).toBe(0);
    expect(await portIsFree(server)).toBe(true);
    expect(await portIsFree(vite)).toBe(true);
  }

  it('runs the server and Vite on one URL, syncs what is typed, and stops both on SIGINT', async () => {
    await devRound(true);
  });

  it('started again, keeps the form from the run before', async () => {
    await devRound(false);
  });

  // Regression: each closed tab printed `[vite] ws proxy error: read ECONNRESET`
  // and a stack; after `kill -9` of the supervisor the server and Vite stayed
  // behind, listening. Two steps on one `pnpm dev`.
  describe('tabs going away, then kill -9 of the supervisor', () => {
    let dev: Script;
    let ports: DevPorts;

    it('closing tabs prints no proxy error', async () => {
      ports = await freePorts();
      let url: string;
      ({ dev, url } = await startDev(ports, 'dev-kill'));
      const page = await browser.newPage();
      await page.goto(url);
      await waitSynced(page, 30_000);
      await page.close();
      // A tab that goes away without a close handshake (a crash, a laptop lid,
      // often a plain tab close): its proxied socket is reset.
      for (let tab = 0; tab < 2; tab++) await resetProxiedSocket(ports.vite);
      // Once the server has seen the tabs go, Vite has seen their sockets reset too.
      await waitFor(async () => {
        const health = await fetch(`http://127.0.0.1:${ports.server}/healthz`);
        return ((await health.json()) as { connections: number }).connections === 0;
      }, 'the closed tabs to leave the server');
      expect(dev.output()).not.toMatch(/proxy (socket )?error/);
    });

    it('kill -9 of the supervisor stops the server and Vite', async () => {
      dev.child.kill('SIGKILL');
      await exitCode(dev);
      await waitFor(
        async () => (await portIsFree(ports.server)) && (await portIsFree(ports.vite)),
        'the server and Vite to exit after their supervisor was killed',
        20_000,
      );
      expect(dev.output()).not.toMatch(/proxy (socket )?error/);
    });
  });
});

describe('scripts/setup.sh', () => {
  /**
   * Runs setup.sh with stand-ins for pnpm (an older version), npm and
   * apt-get first on the PATH: each records its arguments in calls.log.
   */
  async function setup(args: string[], env: Record<string, string>) {
    const bin = join(data.path, `bin-${Math.random().toString(36).slice(2)}`);
    const log = join(bin, 'calls.log');
    mkdirSync(bin);
    writeFileSync(log, '');
    const stub = (name: string, body: string) => {
      writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> "${log}"\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    };
    stub('pnpm', '[ "$1" = --version ] && echo 9.0.0; exit 0');
    stub('npm', 'exit 0');
    stub('apt-get', 'exit 0');
    const result = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        'bash',
        [join(REPO_ROOT, 'scripts/setup.sh'), ...args],
        {
          cwd: REPO_ROOT,
          env: { PATH: `${bin}:${process.env.PATH}`, HOME: data.path, ...env },
        },
        (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : Number(error.code), output: stdout + stderr }),
      );
    });
    const calls = readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l !== '' && l !== 'pnpm --version');
    return { ...result, calls };
  }

  it('does not replace a different global pnpm without asking, and says so', async () => {
    const run = await setup([], {});
    expect(run.code).toBe(1);
    expect(run.output).toContain('REPLACE your global pnpm 9.0.0');
    expect(run.output).toContain('not replacing it without asking');
    expect(run.calls).toEqual([]);
  });

  it('with consent, says what it changes before changing it; no Chromium without --tests', async () => {
    const run = await setup([], { SETUP_YES: '1' });
    expect(run.code).toBe(0);
    const plan = run.output.indexOf('setup: this will');
    expect(plan).toBeGreaterThanOrEqual(0);
    expect(plan).toBeLessThan(run.output.indexOf('setup: installing pnpm@12.4.2'));
    expect(run.calls).toEqual([
      'npm install -g --silent pnpm@12.4.2',
      'pnpm install --frozen-lockfile',
    ]);
    expect(run.output).toContain('Chromium and Redis are only needed for the tests');
  });

  it('refuses an unknown option', async () => {
    const run = await setup(['--test'], {});
    expect(run.code).toBe(2);
    expect(run.output).toContain('unknown option --test');
  });
});
