import { spawn } from 'node:child_process';
import { mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeJournal } from '../src/journal/record.js';
import { CLI, type RunningCli, startCli } from './helpers/cli.js';
import { connectAll, TestClient } from './helpers/client.js';
import { tempDir } from './helpers/server.js';
import { until } from './helpers/wait.js';

const WEBSOCKIPC = join(
  import.meta.dirname,
  '../../varstream/test/fixtures/varstream-0.3.2/websockipc-vars.dat',
);

const running: RunningCli[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cli of running.splice(0)) {
    if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
    await cli.exited;
  }
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function cli(args: readonly string[]): Promise<RunningCli> {
  const started = await startCli(args);
  running.push(started);
  return started;
}

async function dir(): Promise<string> {
  const d = await tempDir();
  cleanups.push(d.remove);
  return d.path;
}

/** A raw HTTP/1.1 GET, so that the path is sent exactly as written. */
function rawGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => {
      data += chunk;
    });
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

/** Runs the built CLI to its exit (for the cases that must not start). */
function runToExit(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, '--port', '0', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('varstream-server CLI', () => {
  // Regression: a missing --init file printed a raw ENOENT stack trace.
  it('--init: a missing, unreadable or invalid file is one clear line, no stack', async () => {
    const d = await dir();
    const missing = join(d, 'missing.dat');
    const bad = join(d, 'bad.dat');
    await writeFile(bad, 'a=1\nb..c=2\n');
    expect(await runToExit(['--init', missing])).toEqual({
      code: 2,
      stderr: `varstream-server: --init: cannot read ${missing}: no such file\n`,
    });
    expect(await runToExit(['--init', d])).toEqual({
      code: 2,
      stderr: `varstream-server: --init: cannot read ${d}: is a directory\n`,
    });
    expect(await runToExit(['--init', bad])).toEqual({
      code: 1,
      stderr: `varstream-server: --init ${bad}: Empty path segment at line 2, column 3: "b..c=2" (EMPTY_SEGMENT)\n`,
    });
  });

  // Regression: these printed Node's own words (`EEXIST: file already exists,
  // mkdir`, `getaddrinfo ENOTFOUND`, `listen EADDRINUSE`) or an INIT_FAILED
  // about an "initial path", not which flag to change.
  it('a bad --init-path, --data, --host or a port in use is one line naming the flag', async () => {
    const d = await dir();
    const file = join(d, 'not-a-dir');
    const seed = join(d, 'seed.dat');
    await writeFile(file, 'x=1\n');
    await writeFile(seed, 'firstname=Alice\n');
    expect(await runToExit(['--init', seed, '--init-path', 'form..x'])).toEqual({
      code: 2,
      stderr: expect.stringMatching(
        /^varstream-server: --init-path: Empty path segment: "form\.\.x"\n\nUsage:/,
      ),
    });
    expect(await runToExit(['--data', file])).toEqual({
      code: 2,
      stderr: `varstream-server: --data: not a directory: ${file}\n`,
    });
    // 192.0.2.1 (TEST-NET-1) is no address of this machine: no DNS involved.
    expect(await runToExit(['--host', '192.0.2.1'])).toEqual({
      code: 1,
      stderr: 'varstream-server: --host 192.0.2.1: not an address of this machine\n',
    });
    const port = new URL((await cli([])).url).port;
    expect(await runToExit(['--port', port])).toEqual({
      code: 1,
      stderr: `varstream-server: --port ${port}: already in use on 127.0.0.1 (stop what uses it, or pick another port; 0 picks a free one)\n`,
    });
  });

  // Regression: `--data /proc/x` never returned (Node 20's recursive mkdir
  // loops on a file system that answers ENOENT with the parent there); under
  // a file it printed Node's `ENOTDIR: not a directory, mkdir` (exit 1); an
  // unwritable directory started, then closed every client at its first change.
  it('--data that cannot be created or written is one line naming the flag, exit 2', async () => {
    const d = await dir();
    const file = join(d, 'a-file');
    await writeFile(file, 'x=1\n');
    expect(await runToExit(['--data', '/proc/varstream-test/data'])).toEqual({
      code: 2,
      stderr:
        'varstream-server: --data: cannot create the data directory /proc/varstream-test/data: this file system does not allow it\n',
    });
    expect(await runToExit(['--data', join(file, 'sub')])).toEqual({
      code: 2,
      stderr: `varstream-server: --data: cannot create the data directory ${join(file, 'sub')}: a parent is not a directory\n`,
    });
    // /proc/1 exists, and nobody (root included) may create files in it.
    expect(await runToExit(['--data', '/proc/1'])).toEqual({
      code: 2,
      stderr:
        'varstream-server: --data: cannot write in the data directory /proc/1: permission denied\n',
    });
  });

  // Regression: Number() read '' as 0 (a random port), and ' 80', '0x10', '1e3' as ports.
  it('--port and --workers take decimal digits only', async () => {
    for (const port of ['', ' 80', '0x10', '1e3']) {
      expect(await runToExit(['--port', port]), port).toEqual({
        code: 2,
        stderr: expect.stringMatching(/^varstream-server: --port: not a port number: .*\n\nUsage:/),
      });
    }
    for (const workers of ['', '0x2']) {
      expect(await runToExit(['--redis', 'redis://127.0.0.1:1', '--workers', workers])).toEqual({
        code: 2,
        stderr: expect.stringMatching(/^varstream-server: --workers: a number of processes/),
      });
    }
  });

  it('--init loads websockipc-vars.dat (UTF-8, accents) under --init-path, once', async () => {
    const data = await dir();
    const first = await cli(['--data', data, '--init', WEBSOCKIPC, '--init-path', 'form']);
    const client = new TestClient(first.url);
    await client.welcome();
    expect(client.root).toEqual({
      form: {
        firstname: 'Mickaël',
        lastname: 'Vendetta',
        email: 'micka@elysee.fr',
        subject: 'Ça se passe comment ???',
        message: 'Kikoolol ! Ça marche !!!',
      },
    });
    await client.settled(client.change('form.firstname=Nicolas\n'));
    client.close();
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    // The document has state now: --init does not apply again.
    const second = await cli(['--data', data, '--init', WEBSOCKIPC]);
    const again = new TestClient(second.url);
    await again.welcome();
    expect(again.rev).toBe(2);
    expect((again.root as { form: { firstname: string } }).form.firstname).toBe('Nicolas');
    expect(again.root).not.toHaveProperty('firstname');
    again.close();
  });

  it('--stdio echoes every change to stdout and applies VarStream from stdin', async () => {
    const server = await cli(['--stdio']);
    const client = new TestClient(server.url);
    await client.welcome();
    server.child.stdin!.write('greeting=Bonjour\nlist.+=un\n^.+=deux\n');
    await client.atRev(1);
    expect(client.root).toEqual({ greeting: 'Bonjour', list: ['un', 'deux'] });
    await until(() => server.stdout().includes('list.0=un'), 'stdout echo of stdin');
    const id = client.change('from.socket=été\n');
    await client.settled(id);
    await until(() => server.stdout().includes('from.socket=été'), 'stdout echo of a client');
    expect(server.stdout()).toBe(
      `#vs change rev=1\ngreeting=Bonjour\nlist.0=un\n^.1=deux\n` +
        `#vs change rev=2 conn=${client.conn} id=${id}\nfrom.socket=été\n`,
    );
    // A bad line is logged (JSON on stderr) and skipped; the rest of the chunk applies.
    server.child.stdin!.write('bad line\nok=1\n');
    await client.atRev(3);
    expect((client.root as { ok: number }).ok).toBe(1);
    await until(() => server.stderr().includes('"level":"warn"'), 'warning');
    const warning = server
      .stderr()
      .split('\n')
      .find((line) => line.includes('"level":"warn"'))!;
    expect(JSON.parse(warning).msg).toBe('stdin: statement skipped');
    // stdout is pure VarStream: the banner went to stderr.
    expect(server.stderr()).toContain('listening on ws://');
    client.close();
    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
  });

  it('--static serves the app with MIME types, index fallback and no traversal', async () => {
    const root = await dir();
    const app = join(root, 'app');
    await mkdir(join(app, 'assets'), { recursive: true });
    await writeFile(join(app, 'index.html'), '<!doctype html><title>collab</title>');
    await writeFile(join(app, 'app.js'), 'console.log(1)');
    await writeFile(join(app, 'assets', 'logo-3f2a.svg'), '<svg/>');
    await writeFile(join(app, '.env'), 'SECRET=1');
    await writeFile(join(root, 'secret.txt'), 'top secret');
    await symlink(root, join(app, 'escape'));
    const server = await cli(['--static', app]);
    const get = (path: string, init?: RequestInit) => fetch(`${server.http}${path}`, init);

    let res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toContain('<title>collab</title>');
    res = await get('/app.js');
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    res = await get('/assets/logo-3f2a.svg');
    expect(res.headers.get('content-type')).toBe('image/svg+xml');
    expect(res.headers.get('cache-control')).toContain('immutable');
    const etag = res.headers.get('etag')!;
    expect(
      (await get('/assets/logo-3f2a.svg', { headers: { 'If-None-Match': etag } })).status,
    ).toBe(304);
    res = await get('/form/42?x=1');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>collab</title>');
    expect((await get('/missing.js')).status).toBe(404);
    expect((await get('/.env')).status).toBe(404);
    expect((await get('/escape/secret.txt')).status).toBe(404);
    const head = await get('/app.js', { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe('14');
    const port = Number(new URL(server.http).port);
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/assets/..%5c..%5csecret.txt',
      '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/app.js%00.html',
    ]) {
      const answer = await rawGet(port, path);
      expect(answer, path).not.toContain('top secret');
      expect(answer, path).not.toContain('root:');
      expect(answer, path).toMatch(/^HTTP\/1\.1 (400|404)/);
    }
    // Health, metrics and WebSockets on the same port.
    res = await get('/healthz');
    expect(await res.json()).toMatchObject({ status: 'ok' });
    const client = new TestClient(server.url);
    await client.welcome();
    const metrics = await (await get('/metrics')).text();
    expect(metrics).toMatch(/^varstream_connections 1$/m);
    expect(metrics).toContain('varstream_process_resident_memory_bytes');
    client.close();
  });

  it('SIGTERM: clients get 1001, exit code 0, the journal holds every acknowledged change', async () => {
    const data = await dir();
    const server = await cli(['--data', data, '--fsync', 'always']);
    const writers = await connectAll(server.url, 3);
    const stops = writers.map((w, k) => pump(w, (seq) => `w${k}.c${seq}=${seq}\n`, 8));
    await until(() => writers.every((w) => w.acked.size >= 50), 'some acknowledged changes');
    server.child.kill('SIGTERM');
    for (const w of writers) expect((await w.closedWith()).code).toBe(1001);
    for (const stop of stops) stop();
    expect(await server.exited).toBe(0);
    const journal = await readFile(join(data, 'doc-default.journal'));
    const decoded = decodeJournal(journal);
    expect(decoded.validBytes).toBe((await stat(join(data, 'doc-default.journal'))).size);
    const ids = new Set(decoded.records.map((r) => r.id));
    for (const w of writers) for (const id of w.acked) expect(ids.has(id), id).toBe(true);
  });

  it('kill -9 under load: every acknowledged change is in the restarted tree', async () => {
    const data = await dir();
    const first = await cli(['--data', data, '--fsync', 'always']);
    const writers = await connectAll(first.url, 6);
    const stops = writers.map((w, k) => pump(w, (seq) => `w${k}.c${seq}=${seq}\nw${k}.n+=1\n`, 16));
    const target = 300 + Math.floor(Math.random() * 1500);
    const total = () => writers.reduce((n, w) => n + w.acked.size, 0);
    await until(() => total() >= target, `${target} acknowledged changes`, 20_000);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    for (const w of writers) await w.closedWith();
    for (const stop of stops) stop();
    const acked = writers.map((w) => [...w.acked]);

    const second = await cli(['--data', data, '--fsync', 'always']);
    const reader = new TestClient(second.url);
    await reader.welcome();
    const root = reader.root as Record<string, Record<string, number>>;
    let lost = 0;
    let count = 0;
    acked.forEach((ids, k) => {
      for (const id of ids) {
        count++;
        const seq = Number(id.slice(id.indexOf(':') + 1));
        if (root[`w${k}`]?.[`c${seq}`] !== seq) lost++;
      }
      // The counter holds at least every acknowledged change (unacknowledged ones may be there too).
      expect(root[`w${k}`]?.n ?? 0).toBeGreaterThanOrEqual(ids.length);
    });
    console.log(
      `kill -9: ${count} changes acknowledged before the kill, ${lost} lost, rev ${reader.rev}`,
    );
    expect(count).toBeGreaterThanOrEqual(target);
    expect(lost).toBe(0);
    reader.close();
  });
});

/**
 * Keeps `window` changes of `client` in flight: a new one each time one is
 * answered. Returns a stop function.
 */
function pump(client: TestClient, body: (seq: number) => string, window: number): () => void {
  let stopped = false;
  const sent: string[] = [];
  let answered = 0;
  const topUp = () => {
    if (stopped || client.ws.readyState !== 1) return;
    while (
      answered < sent.length &&
      (client.acked.has(sent[answered]!) || client.rejected.has(sent[answered]!))
    ) {
      answered++;
    }
    while (sent.length - answered < window) sent.push(client.change(body(client.seq + 1)));
  };
  client.ws.on('message', topUp);
  topUp();
  return () => {
    stopped = true;
    client.ws.off('message', topUp);
  };
}
