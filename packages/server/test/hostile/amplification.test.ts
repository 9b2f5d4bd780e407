/**
 * Issue 9, item 5: a change of a few bytes was stored and broadcast as the
 * whole string it appended to (`s+="1"` on a 7 MB string: 5 frames pushed
 * 72 MB to two readers). The canonical form of a change stays proportional
 * to the change: journal and broadcasts grow by the append, and every
 * replica still ends with the same string.
 */
import { stat } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { docFiles } from '../../src/storage/file-names.js';
import { connectAll, TestClient } from '../helpers/client.js';
import { startServer, type TestServer, tempDir } from '../helpers/server.js';
import { expectReloads } from './reload.js';

let server: TestServer | undefined;
let removeDir: (() => Promise<void>) | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await removeDir?.();
  removeDir = undefined;
});

describe('hostile: write amplification', () => {
  it('stores and broadcasts an append to a 1.9 MB string as the append', async () => {
    const dir = await tempDir();
    removeDir = dir.remove;
    server = await startServer({ dataDir: dir.path });
    await server.server.write('default', `s=${'x'.repeat(1_900_000)}\n`);
    const [attacker, readerA, readerB] = await connectAll(server.url, 3);
    const journal = docFiles(dir.path, 'default').journal;
    const journalBefore = (await stat(journal)).size;
    const seen = [readerA!.frames.length, readerB!.frames.length];
    const operands = ['"1"', '""', '"\\u0001"', '"-2.5"', '"\\"q"'];
    const ids: string[] = [];
    for (let i = 0; i < 20; i++)
      ids.push(attacker!.change(`s+=${operands[i % operands.length]}\n`));
    for (const id of ids) await attacker!.settled(id);
    const doc = server.server.document('default')!;
    await readerA!.atRev(doc.rev);
    await readerB!.atRev(doc.rev);
    for (const id of ids) expect(attacker!.acked.has(id)).toBe(true);

    // Old: 20 × 1.9 MB to each reader and into the journal.
    const received = (frames: string[], from: number) =>
      frames.slice(from).reduce((sum, frame) => sum + Buffer.byteLength(frame), 0);
    expect(received(readerA!.frames, seen[0]!)).toBeLessThan(20 * 200);
    expect(received(readerB!.frames, seen[1]!)).toBeLessThan(20 * 200);
    expect((await stat(journal)).size - journalBefore).toBeLessThan(20 * 200);

    const s = (doc.root as { s: string }).s;
    expect(s.length).toBe(1_900_000 + 4 * (1 + 0 + 1 + 4 + 2));
    expect(readerA!.root).toEqual(doc.root);
    expect(readerB!.root).toEqual(doc.root);
  });

  it('journals a one-character splice into a 1.9 MB string as the splice, and reloads it', async () => {
    // Old: every `~=` was journaled as the whole resulting string: 20 splices
    // of 12 bytes wrote 38 MB (1.9 MB each, ~60 ms of server time each).
    const dir = await tempDir();
    removeDir = dir.remove;
    server = await startServer({ dataDir: dir.path });
    await server.server.write('default', `s=${'x'.repeat(1_900_000)}\nshort=abc\n`);
    const [attacker, reader] = await connectAll(server.url, 2, { ext: 'splice' });
    const resumer = new TestClient(server.url, { protocol: false });
    await resumer.welcome();
    resumer.close();
    await resumer.closedWith();
    const journal = docFiles(dir.path, 'default').journal;
    const journalBefore = (await stat(journal)).size;
    const ids: string[] = [];
    for (let i = 0; i < 20; i++)
      ids.push(attacker!.change(`s~=${1000 + i},1,y\nshort~=1,1,${i}\n`));
    for (const id of ids) await attacker!.settled(id);
    for (const id of ids) expect(attacker!.acked.has(id)).toBe(true);
    const doc = server.server.document('default')!;
    await reader!.atRev(doc.rev);
    expect((await stat(journal)).size - journalBefore).toBeLessThan(20 * 200);
    expect(reader!.root).toEqual(doc.root);
    const snapshot = doc.snapshot();
    await server.close();
    server = undefined;
    await expectReloads(dir.path, 'default', snapshot);

    // A reader without the extension resuming across the restart gets values it can read.
    server = await startServer({ dataDir: dir.path });
    const back = new TestClient(server.url, { protocol: false, resume: resumer });
    await back.atRev(doc.rev);
    expect(back.frames.join('')).not.toContain('~=');
    expect(back.root).toEqual(reader!.root);
  });
});
