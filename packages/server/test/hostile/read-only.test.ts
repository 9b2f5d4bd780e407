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

const authenticate: Authenticate = ({ token }) => ({
  access: token === 'reader' ? 'read' : 'write',
});

describe('empty changes and read-only identities', () => {
  it('a read-only connection cannot create revisions with empty changes (issue 9, item 4)', async () => {
    dir = await tempDir();
    server = await startServer({ authenticate, dataDir: dir.path });
    await server.server.write('default', 'form.name=Alice\n');
    const doc = server.server.document('default')!;
    const rev = doc.rev;
    const reader = new TestClient(server.url, { token: 'reader' });
    const follower = new TestClient(server.url, { token: 'writer' });
    await Promise.all([reader.welcome(), follower.welcome()]);
    const ids = reader.changes(Array.from({ length: 200 }, () => ''));
    reader.send('#vs change id=r:1\n# only a comment\n');
    await reader.settled(ids.at(-1)!);
    for (const id of ids) expect(reader.rejected.get(id)?.fields.code).toBe('FORBIDDEN');
    await until(() => reader.rejected.has('r:1'), 'the comment-only change');
    expect(doc.rev).toBe(rev);
    // Nothing was broadcast: the follower saw no change section.
    expect(follower.metasOf('change')).toHaveLength(0);
    expect(reader.closed).toBeUndefined();
    const snapshot = doc.snapshot();
    await server.close();
    server = undefined;
    await expectReloads(dir.path, 'default', snapshot);
  });

  it("a writer's empty change is acknowledged without a revision", async () => {
    server = await startServer();
    await server.server.write('default', 'a=1\n');
    const doc = server.server.document('default')!;
    const protocol = new TestClient(server.url);
    const plain = new TestClient(server.url, { protocol: false });
    await Promise.all([protocol.welcome(), plain.welcome()]);
    const [empty, real, emptyAgain] = protocol.changes(['', 'b=2\n', '']);
    plain.send('#vs change id=p:1\n');
    await protocol.settled(emptyAgain!);
    await until(() => plain.acked.has('p:1'), 'the plain empty change');
    expect(doc.rev).toBe(2);
    const acks = protocol.metasOf('ack');
    expect(acks.map((m) => [m.fields.id, m.fields.rev, m.fields.empty])).toEqual([
      [empty, '1', '1'],
      [emptyAgain, '2', '1'],
    ]);
    expect(protocol.acked.has(real!)).toBe(true);
    expect(plain.metasOf('ack')[0]!.fields).toMatchObject({ id: 'p:1', rev: '2', empty: '1' });
    // Re-sending an empty change is harmless: it still makes no revision.
    protocol.send(`#vs change id=${empty}\n`);
    await until(() => protocol.metasOf('ack').length === 3, 'the re-sent empty change');
    expect(doc.rev).toBe(2);
  });
});
