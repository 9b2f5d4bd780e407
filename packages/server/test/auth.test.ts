import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Authenticate } from '../src/index.js';
import { TestClient } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';
import { until } from './helpers/wait.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const seen: { token: string | undefined; doc: string; ip: string | undefined }[] = [];

const authenticate: Authenticate = async ({ token, doc, request }) => {
  seen.push({ token, doc, ip: request.socket.remoteAddress });
  await new Promise((resolve) => setTimeout(resolve, 5)); // hooks may be async
  switch (token) {
    case 'writer':
      return { access: 'write', user: 'w' };
    case 'reader':
      return { access: 'read' };
    case 'form-only':
      return { access: 'write', scope: ['form', ['notes', 'a b']] };
    case 'throws':
      throw new Error('backend down');
    default:
      return false;
  }
};

async function closeCode(url: string, options: WebSocket.ClientOptions = {}): Promise<number> {
  const ws = new WebSocket(url, options);
  ws.on('error', () => {});
  let code = 0;
  ws.on('close', (c) => {
    code = c;
  });
  await until(() => code !== 0, `close of ${url}`);
  return code;
}

describe('authentication and permissions', () => {
  it('calls authenticate with the URL token or the hello token; refuses with 4401', async () => {
    server = await startServer({ authenticate });
    seen.length = 0;
    const byUrl = new TestClient(server.url, { urlToken: 'writer', doc: '/team/notes' });
    const byHello = new TestClient(server.url, { token: 'writer' });
    const plain = new TestClient(server.url, { protocol: false, urlToken: 'writer' });
    await Promise.all([byUrl.welcome(), byHello.welcome(), plain.welcome()]);
    expect(seen.map((s) => [s.token, s.doc])).toEqual(
      expect.arrayContaining([
        ['writer', 'team/notes'],
        ['writer', 'default'],
        ['writer', 'default'],
      ]),
    );
    expect(seen[0]!.ip).toBe('127.0.0.1');
    for (const token of ['wrong', 'throws', undefined]) {
      const refused = new TestClient(server.url, token === undefined ? {} : { token });
      expect((await refused.closedWith()).code).toBe(4401);
      expect(refused.welcomed).toBe(false);
    }
    expect(await closeCode(`${server.url}?token=nope`)).toBe(4401);
    for (const c of [byUrl, byHello, plain]) c.close();
  });

  it('read access: follows the document, every write is FORBIDDEN', async () => {
    server = await startServer({ authenticate });
    await server.server.write('default', 'form.name=Alice\n');
    const reader = new TestClient(server.url, { token: 'reader' });
    await reader.welcome();
    expect(reader.metasOf('welcome')[0]!.fields.access).toBe('read');
    expect(reader.root).toEqual({ form: { name: 'Alice' } });
    const id = reader.change('form.name=Mallory\n');
    await reader.settled(id);
    expect(reader.rejected.get(id)?.fields.code).toBe('FORBIDDEN');
    reader.send('#vs presence name=Reader\n'); // presence is fine for readers
    const writer = new TestClient(server.url, { token: 'writer' });
    await writer.welcome();
    await writer.settled(writer.change('form.name=Bob\n'));
    await reader.atRev(2);
    expect(reader.root).toEqual({ form: { name: 'Bob' } });
    reader.close();
    writer.close();
  });

  it('scoped access: writes and references only inside the scope', async () => {
    server = await startServer({ authenticate });
    await server.server.write('default', 'admin.role=root\nform.name=Alice\n');
    const scoped = new TestClient(server.url, { token: 'form-only' });
    await scoped.welcome();
    expect(scoped.metasOf('welcome')[0]!.fields.scope).toBe('form,notes."a b"');
    const inside = [
      scoped.change('form.email=a@b.c\n'),
      scoped.change('notes."a b".x=1\n'),
      scoped.change('form.copy&=form.name\n'),
      scoped.change('form=\n'),
    ];
    const outside = [
      scoped.change('admin.role=user\n'),
      scoped.change('form.ok=1\nadmin.role=user\n'),
      scoped.change('form.alias&=admin\n'),
      scoped.change('notes.x=1\n'),
      scoped.change('^0=1\n'),
    ];
    for (const id of [...inside, ...outside]) await scoped.settled(id);
    for (const id of inside) expect(scoped.acked.has(id), id).toBe(true);
    for (const id of outside) expect(scoped.rejected.get(id)?.fields.code, id).toBe('FORBIDDEN');
    expect(server.server.document('default')!.root).toEqual({
      admin: { role: 'root' },
      notes: { 'a b': { x: 1 } },
    });
    scoped.close();
  });

  it('checks Origin against the allowlist (4403); no Origin (not a browser) is let in', async () => {
    server = await startServer({ origins: ['https://app.example.com', 'http://localhost:5173/'] });
    const allowed = new TestClient(server.url, { headers: { Origin: 'https://APP.example.com' } });
    const dev = new TestClient(server.url, { headers: { Origin: 'http://localhost:5173' } });
    const none = new TestClient(server.url);
    await Promise.all([allowed.welcome(), dev.welcome(), none.welcome()]);
    const evil = new TestClient(server.url, { headers: { Origin: 'https://evil.example.com' } });
    expect((await evil.closedWith()).code).toBe(4403);
    expect(evil.welcomed).toBe(false);
    for (const c of [allowed, dev, none]) c.close();
  });

  it('refuses bad document names (4400), bad hellos (4400, 4409) and late hellos (4408)', async () => {
    server = await startServer({ helloTimeoutMs: 100 });
    const base = server.url.slice(0, -1);
    for (const path of ['/a//b', '/a b', '/a%2Fb', `/${'x'.repeat(129)}`, '/team/', '/a~b']) {
      expect(await closeCode(`${base}${path}`), path).toBe(4400);
    }
    expect(await closeCode(`${server.url}?vs=2`)).toBe(4409);
    const hellos: [string, number][] = [
      ['#vs hello v=3 client=abc', 4409],
      ['#vs hello v=1', 4400],
      ['#vs hello v=1 client=bad:id', 4400],
      ['#vs hello v=1 client=abc rev=-1', 4400],
      ['a=1', 4400],
      ['#vs hello v=1 client=abc\na=1', 4400],
    ];
    for (const [hello, code] of hellos) {
      const ws = new WebSocket(`${server.url}?vs=1`);
      let closed = 0;
      ws.on('close', (c) => {
        closed = c;
      });
      ws.on('open', () => ws.send(hello));
      await until(() => closed !== 0, hello);
      expect(closed, hello).toBe(code);
    }
    expect(await closeCode(`${server.url}?vs=1`)).toBe(4408);
  });
});
