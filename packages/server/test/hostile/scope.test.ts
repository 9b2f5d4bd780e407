import { afterEach, describe, expect, it } from 'vitest';
import type { Authenticate } from '../../src/index.js';
import { TestClient } from '../helpers/client.js';
import { startServer, type TestServer, tempDir } from '../helpers/server.js';
import { until } from '../helpers/wait.js';
import { expectReloads } from './reload.js';

let server: TestServer | undefined;
let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await dir?.remove();
  dir = undefined;
});

/** The token is the scope itself: `form.sub`, `list.0`, or JSON for a path array. */
const authenticate: Authenticate = ({ token }) =>
  token === undefined
    ? { access: 'write' }
    : { access: 'write', scope: [token.startsWith('[') ? JSON.parse(token) : token] };

/**
 * Seeds `doc` with `seed`, lets a writer scoped to `scope` try `attack`, and
 * returns the code of the rejection (or `accepted`) with the document as it
 * is afterwards.
 */
async function attempt(seed: string, scope: string, attack: string) {
  const doc = `d${Math.random().toString(36).slice(2, 8)}`;
  await server!.server.write(doc, seed);
  const view = server!.server.document(doc)!;
  const before = view.snapshot();
  const writer = new TestClient(server!.url, { doc: `/${doc}`, token: scope });
  await writer.welcome();
  const id = writer.change(attack);
  await writer.settled(id);
  writer.close();
  return {
    code: writer.rejected.get(id)?.fields.code ?? 'accepted',
    message: writer.rejected.get(id)?.fields.message,
    before,
    after: view.snapshot(),
    root: view.root,
    doc,
  };
}

describe('a scoped writer changes nothing outside its scope, parents included', () => {
  it('cannot replace a parent of the wrong type lying outside its scope (issue 9, item 3)', async () => {
    dir = await tempDir();
    server = await startServer({ authenticate, dataDir: dir.path });
    const cases: [seed: string, scope: string, attack: string][] = [
      ['form=hello\n', 'form.sub', 'form.sub.x=1\n'],
      ['form.+=1\nform.+=2\n', 'form.sub', 'form.sub=1\n'],
      ['list.a=1\nlist.b=2\n', 'list.0', 'list.0=x\n'],
      ['users.alice=admin\n', '["users",3]', 'users.3.role=admin\n'],
      ['^0=[]\n^0.+=keep\n', 'form', 'form.name=x\n'],
      ['a.b=5\n', 'a.b.c.d', 'a.b.c.d=1\n'],
      ['a=null\n', 'a.b', 'a.b=1\n'],
      // A delete walks the path too (and would create what is missing).
      ['form=hello\n', 'form.sub', 'form.sub=\n'],
      // The first statement is fine, the second is not: the whole change is refused.
      ['form.sub.x=1\nlist=text\n', 'list.0', 'list.0=ok\n'],
      ['form=hello\nlist.+=a\n', 'list.0', 'list.0=ok\nlist.0.x=1\nlist.name=x\n'],
    ];
    for (const [seed, scope, attack] of cases) {
      const result = await attempt(seed, scope, attack);
      expect(result.code, `${scope}: ${attack}`).toBe('FORBIDDEN');
      expect(result.message).toMatch(
        /outside the connection scope|limited to the connection scope/,
      );
      expect(result.after, `${scope}: ${attack}`).toBe(result.before);
    }
    const last = await attempt('form=hello\n', 'form.sub', 'form.sub.x=1\n');
    await server.close();
    server = undefined;
    await expectReloads(dir.path, last.doc, last.before);
  });

  it('still creates missing parents and writes below parents of the right type', async () => {
    server = await startServer({ authenticate });
    const fresh = await attempt('other=1\n', 'form.sub', 'form.sub.x=1\n');
    expect(fresh.code).toBe('accepted');
    expect(fresh.root).toEqual({ other: 1, form: { sub: { x: 1 } } });
    const list = await attempt('list.+=a\nlist.+=b\n', 'list.1', 'list.1=B\nlist.1.k=v\n');
    expect(list.code).toBe('accepted');
    expect(list.root).toEqual({ list: ['a', { k: 'v' }] });
    const grows = await attempt('users.+=a\n', '["users",3]', 'users.3.role=admin\n');
    expect(grows.code).toBe('accepted');
    expect((grows.root as { users: unknown[] }).users[0]).toBe('a');
    expect((grows.root as { users: unknown[] }).users[3]).toEqual({ role: 'admin' });
    // The scope root itself may be replaced by anything.
    const root = await attempt('form.sub=text\nform.keep=1\n', 'form.sub', 'form.sub.a.b=1\n');
    expect(root.code).toBe('accepted');
    expect(root.root).toEqual({ form: { sub: { a: { b: 1 } }, keep: 1 } });
  });

  it('refuses a scope text naming a dynamic segment (*, +, !), as it refuses a scope path holding one', async () => {
    // Old: `scope: ['list.!']` was taken as written (a path given as an array
    // must be concrete): its writer wrote `list.!.x=1`, emptying every element
    // of `list` beside its own, and Redis nodes, which rebuild the scope from
    // the path, made that writer read-only there. Such an identity is now
    // refused (close 4401), whatever the form of its scope.
    server = await startServer({ authenticate });
    await server.server.write('dyn', 'list.+=mine\nlist.+=yours\n');
    for (const scope of ['list.!', 'list.*', 'list.+', 'list.!.x']) {
      const writer = new TestClient(server.url, { doc: '/dyn', token: scope });
      expect((await writer.closedWith()).code, scope).toBe(4401);
    }
    expect(server.server.document('dyn')!.root).toEqual({ list: ['mine', 'yours'] });
    const literal = new TestClient(server.url, { doc: '/dyn', token: 'list."*"' });
    await literal.welcome(); // a key named "*" is a concrete step
    literal.close();
  });

  it("cannot make another writer's next change a duplicate by sending its id first", async () => {
    // Old: change ids are visible to every member; a writer scoped to `a`
    // that sent `id=<victim>:<next seq>` (inside its own scope) made the
    // victim's real change, outside that scope, an acknowledged duplicate:
    // silently dropped. Ids are now remembered per scope, across restarts.
    dir = await tempDir();
    server = await startServer({ authenticate, dataDir: dir.path });
    const victim = new TestClient(server.url, { doc: '/ids', token: 'b', client: 'victim' });
    const attacker = new TestClient(server.url, { doc: '/ids', token: 'a', version: 1 });
    await Promise.all([victim.welcome(), attacker.welcome()]);
    const first = victim.change('b.v=1\n');
    await victim.settled(first);
    await attacker.atRev(victim.rev);
    expect(attacker.frames.join('')).toContain(`id=${first}`); // what the attacker learns
    // Claims the victim's next ids, and replays the one it saw.
    const claims = ['victim:2', 'victim:3', first];
    attacker.send(claims.map((id, i) => `#vs change id=${id}\na.x=${i}\n`).join(''));
    await until(
      () => claims.every((id) => attacker.acked.has(id) || attacker.rejected.has(id)),
      'claims',
    );
    const second = victim.change('b.v=2\n');
    await victim.settled(second);
    expect(victim.metasOf('ack').find((meta) => meta.fields.id === second)).toBeUndefined();
    expect(server.server.document('ids')!.root).toMatchObject({ b: { v: 2 } });
    // The victim's own re-sends are still duplicates, across a restart too.
    victim.send(`#vs change id=${first}\nb.v=10\n#vs change id=${second}\nb.v=20\n`);
    await until(() => victim.metasOf('ack').length >= 2, 'duplicate acks');
    expect(victim.metasOf('ack').map((meta) => meta.fields.duplicate)).toEqual(['1', '1']);
    const snapshot = server.server.document('ids')!.snapshot();
    victim.close();
    attacker.close();
    await server.close();
    server = await startServer({ authenticate, dataDir: dir.path });
    const back = new TestClient(server.url, { doc: '/ids', token: 'b', client: 'victim' });
    await back.welcome();
    back.send(`#vs change id=${second}\nb.v=20\n#vs change id=victim:3\nb.v=3\n`);
    await until(() => back.acked.has('victim:3') || back.rejected.has('victim:3'), 'victim:3');
    expect(back.metasOf('ack').map((meta) => meta.fields.id)).toEqual([second]);
    expect(server.server.document('ids')!.root).toMatchObject({ b: { v: 3 } });
    back.close();
    expect(snapshot).toContain('b.v=2');
  });
});
