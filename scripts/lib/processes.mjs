// Small helpers shared by scripts/dev.mjs and scripts/start.mjs: port checks,
// child processes with prefixed output, and a clean shutdown on signals.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const APP_DIR = join(ROOT, 'apps/collab-form');
export const SERVER_CLI = join(ROOT, 'packages/server/dist/cli/main.js');
export const SEED = join(APP_DIR, 'seed/websockipc-vars.dat');
const LEASH = pathToFileURL(join(ROOT, 'scripts/lib/leash.mjs')).href;

/**
 * An environment setting of these scripts (they run outside turbo tasks, so
 * turbo.json does not list them). Empty counts as unset.
 */
export function env(name) {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

const tty = process.stdout.isTTY === true && env('NO_COLOR') === undefined;
const paint = (code) => (text) => (tty ? `\x1b[${code}m${text}\x1b[0m` : text);
export const bold = paint('1');
export const dim = paint('2');
export const red = paint('31');
export const green = paint('32');
export const cyan = paint('36');
export const magenta = paint('35');

/** Prints an error and exits with code 1. */
export function fail(message) {
  process.stderr.write(`${red('error')} ${message}\n`);
  process.exit(1);
}

/** A port number from an environment variable, or the default. */
export function portFromEnv(name, fallback) {
  const raw = env(name);
  if (raw === undefined) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    fail(`${name}=${raw} is not a port number`);
  return port;
}

/** Resolves if `port` can be listened on at `host`; otherwise explains which variable to change. */
export async function ensurePortFree(port, host, envName) {
  await new Promise((resolveFree) => {
    const probe = createServer();
    probe.once('error', (err) => {
      if (err.code === 'EADDRINUSE') {
        fail(
          `port ${port} on ${host} is already in use (${envName}).\n` +
            `      Stop what is using it (\`lsof -i :${port}\`), or pick another port: ${envName}=${port + 1} pnpm …`,
        );
      }
      if (err.code === 'EACCES') fail(`not allowed to listen on port ${port} (${envName})`);
      fail(`cannot listen on ${host}:${port} (${envName}): ${err.message}`);
    });
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolveFree()));
  });
}

/**
 * The `--origin` flags that let only pages served from `host:port` open the
 * document (a page from any other site could otherwise write to it from a
 * visitor's browser). Every local name for a loopback host; every interface
 * address when listening on all of them. VARSTREAM_ORIGINS (comma-separated,
 * `*` for any) replaces the list.
 */
export function originArgs(host, port) {
  const custom = env('VARSTREAM_ORIGINS');
  const origins = new Set(custom === undefined ? [] : custom.split(',').map((o) => o.trim()));
  if (custom === undefined) {
    const hosts = new Set(['localhost', '127.0.0.1', '[::1]']);
    if (host === '0.0.0.0' || host === '::') {
      for (const list of Object.values(networkInterfaces())) {
        for (const a of list ?? []) hosts.add(a.family === 'IPv6' ? `[${a.address}]` : a.address);
      }
    } else {
      hosts.add(host.includes(':') ? `[${host}]` : host);
    }
    for (const h of hosts) origins.add(`http://${h}:${port}`);
  }
  return [...origins].filter((o) => o !== '').flatMap((o) => ['--origin', o]);
}

/** Fails with a hint when a build output is missing. */
export function ensureFile(path, hint) {
  if (!existsSync(path)) fail(`${path.slice(ROOT.length + 1)} is missing: ${hint}`);
}

/**
 * Runs a Node.js script as a child process with its output prefixed
 * (`[name] line`). Its lines are also given to `child.lineListeners` (see
 * `waitForLine`). The child is leashed (scripts/lib/leash.mjs): it stops
 * itself when this process dies, however it dies.
 */
export function startChild(name, color, script, args, options = {}) {
  const child = spawn(process.execPath, ['--import', LEASH, script, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const tag = color(`[${name}]`);
  child.name = name;
  child.lineListeners = new Set();
  for (const [stream, out] of [
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ]) {
    createInterface({ input: stream }).on('line', (line) => {
      out.write(`${tag} ${line}\n`);
      for (const listener of child.lineListeners) listener(line);
    });
  }
  child.exited = new Promise((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal })),
  );
  child.once('error', (err) => fail(`could not start ${name}: ${err.message}`));
  return child;
}

/** Resolves with the match of `pattern` in the child's first matching line; rejects if it exits first. */
export function waitForLine(child, pattern, timeoutMs = 30_000) {
  return new Promise((resolveLine, reject) => {
    const done = () => {
      clearTimeout(timer);
      child.lineListeners.delete(onLine);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${child.name} was not ready within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const onLine = (line) => {
      const m = pattern.exec(line.replace(/\x1b\[[0-9;]*m/g, ''));
      if (m) {
        done();
        resolveLine(m);
      }
    };
    child.lineListeners.add(onLine);
    child.exited.then(({ code, signal }) => {
      done();
      reject(new Error(`${child.name} exited (${signal ?? `code ${code}`}) before it was ready`));
    });
  });
}

/**
 * Watches child processes: on SIGINT/SIGTERM/SIGHUP, or when any child exits
 * on its own, stops the others (SIGTERM, then SIGKILL after a grace period)
 * and exits: 0 after a signal or a clean exit, 1 if a child failed.
 */
export function supervisor(graceMs = 8_000) {
  const children = [];
  let stopping;
  // Resolves never: the process exits at the end. Calling it again joins the first call.
  const stopAll = (reason, exitCode) => (stopping ??= shutdown(reason, exitCode));
  const shutdown = async (reason, exitCode) => {
    if (reason) process.stderr.write(`${dim(reason)}\n`);
    const alive = children.filter((c) => c.exitCode === null && c.signalCode === null);
    for (const c of alive) c.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const c of alive) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }, graceMs);
    await Promise.all(alive.map((c) => c.exited));
    clearTimeout(timer);
    process.exit(exitCode);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => stopAll(`${signal}: stopping…`, 0));
  }
  // A bug in this script must not leave the children running.
  process.on('uncaughtException', (err) => stopAll(`error: ${err.stack ?? err}`, 1));
  process.on('unhandledRejection', (err) => stopAll(`error: ${err?.stack ?? err}`, 1));
  return {
    add(child) {
      children.push(child);
      child.exited.then(({ code, signal }) => {
        const how = signal ?? `code ${code}`;
        stopAll(`${child.name} exited (${how}): stopping`, code === 0 ? 0 : 1);
      });
      return child;
    },
    stop: (reason, exitCode = 1) => stopAll(reason, exitCode),
  };
}

/** The boxed "open this" message. */
export function banner(lines) {
  const width = Math.max(...lines.map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').length));
  const pad = (l) => l + ' '.repeat(width - l.replace(/\x1b\[[0-9;]*m/g, '').length);
  const rule = '─'.repeat(width + 2);
  process.stdout.write(
    `\n${green(`┌${rule}┐`)}\n${lines.map((l) => `${green('│')} ${pad(l)} ${green('│')}`).join('\n')}\n${green(`└${rule}┘`)}\n\n`,
  );
}
