/**
 * Deleting array elements leaves holes (SPEC.md 5.3), and the length stays.
 * The snapshot writer skipped holes without writing the length: an array
 * ending with holes came back shorter, and an array holding only holes
 * inside an array was left out whole, so the elements after it moved down
 * one place for every client that joined later and after a reload
 * (`list.0.0=1`, `list.0.0=`: `list.1` was read back as `list.0`). Later
 * writes by index then landed on other elements than on the server.
 */
import { describe, expect, it } from 'vitest';
import { TestClient } from '../helpers/client.js';
import { perTest } from '../helpers/per-test.js';

const { dataDir, start, later } = perTest();

async function client(url: string): Promise<TestClient> {
  const c = new TestClient(url);
  later(async () => c.close());
  await c.welcome();
  return c;
}

describe('hostile: arrays of holes in snapshots', () => {
  it('keeps the place of every element and the length of every array', async () => {
    const dir = await dataDir();
    const s = await start({ dataDir: dir, compactionBytes: 1 }); // reloads from a snapshot
    const writer = await client(s.url);
    for (const body of [
      'list.0.0=1\nlist.1=keep\nlist.2.name=Ada\n',
      'list.0.0=\n', // list.0 holds only a hole
      'tail.0=a\ntail.1=b\ntail.1=\n', // tail ends with a hole
      'only.3=x\nonly.3=\n', // only holes
    ]) {
      const id = writer.change(body);
      await writer.settled(id);
      expect(writer.rejected.get(id)).toBeUndefined();
    }
    const doc = s.server.document('default')!;
    const expected = doc.root as { list: unknown[]; tail: unknown[]; only: unknown[] };
    expect(expected.list[1]).toBe('keep');
    expect(expected.tail).toHaveLength(2);
    expect(expected.only).toHaveLength(4);
    const late = await client(s.url);
    expect(late.root).toEqual(doc.root);
    expect((late.root as typeof expected).list[1]).toBe('keep');
    expect((late.root as typeof expected).tail).toHaveLength(2);
    // `+` appends at the same index for a late client as on the server.
    const id = writer.change('tail.+=c\n');
    await writer.settled(id);
    await late.atRev(writer.rev);
    expect(late.root).toEqual(doc.root);
    const root = doc.root;
    await s.close(); // writes a snapshot
    const again = await start({ dataDir: dir });
    expect((await again.server.open('default')).root).toEqual(root);
  });
});
