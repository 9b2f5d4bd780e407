/**
 * `l.k&=l.0` while `l` is an array: the reference is resolved first (in the
 * array), then the walk replaces `l` with an object. The server's section
 * wrote `l={}` (for 0.3.2 readers) before `l.k&=l.0`, so every client, the
 * journal's reload included, found nothing at `l.0` (REF_NOT_FOUND): each
 * client that applied the section failed, and the document reloaded without
 * the change. A scalar target is now sent as its value; a container target
 * is refused (`REF_REPLACED`).
 */
import { describe, expect, it } from 'vitest';
import { TestClient } from '../helpers/client.js';
import { perTest } from '../helpers/per-test.js';
import { expectReloads } from './reload.js';

const { dataDir, start, later } = perTest();

async function client(url: string, options: ConstructorParameters<typeof TestClient>[1] = {}) {
  const c = new TestClient(url, options);
  later(async () => c.close());
  await c.welcome();
  return c;
}

describe('hostile: &= into the array its own path replaces', () => {
  it('sends a scalar target as its value: every reader and the reload agree', async () => {
    const dir = await dataDir();
    const s = await start({ dataDir: dir });
    const writer = await client(s.url);
    const plain = await client(s.url, { protocol: false });
    const first = writer.change('l.0=x\nl.1=y\n');
    await writer.settled(first);
    const id = writer.change('l.k&=l.1\n');
    await writer.settled(id);
    expect(writer.rejected.get(id)).toBeUndefined();
    await plain.atRev(writer.rev);
    const doc = s.server.document('default')!;
    expect(doc.root).toEqual({ l: { k: 'y' } });
    for (const c of [writer, plain, await client(s.url)]) expect(c.root).toEqual(doc.root);
    const snapshot = doc.snapshot();
    await s.close();
    await expectReloads(dir, 'default', snapshot);
  });

  it('refuses a container target (REF_REPLACED) and changes nothing', async () => {
    const dir = await dataDir();
    const s = await start({ dataDir: dir });
    const writer = await client(s.url);
    const first = writer.change('l.0.a=1\n');
    await writer.settled(first);
    const id = writer.change('n=2\nl.k&=l.0\n');
    await writer.settled(id);
    expect(writer.rejected.get(id)?.fields.code).toBe('REF_REPLACED');
    const doc = s.server.document('default')!;
    expect(doc.root).toEqual({ l: [{ a: 1 }] });
    const after = writer.change('m=3\n');
    await writer.settled(after);
    expect(writer.root).toEqual(doc.root);
    expect((await client(s.url)).root).toEqual(doc.root);
    const snapshot = doc.snapshot();
    await s.close();
    await expectReloads(dir, 'default', snapshot);
  });
});
