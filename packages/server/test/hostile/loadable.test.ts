/**
 * Issue 9, item 2: whatever the server accepts it must be able to store,
 * reload and send. The limits hold on the resulting tree (`&=` chains, `+=`
 * on strings), the loader reads at least what was accepted, and a snapshot
 * that cannot be read does not lock its document out: set aside, reported,
 * the document starts from what can be read.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { treeDepth } from '../../src/limits/tree-depth.js';
import { encodeSnapshot } from '../../src/snapshot/snapshot-file.js';
import { docFiles } from '../../src/storage/file-names.js';
import { TestClient } from '../helpers/client.js';
import { perTest } from '../helpers/per-test.js';
import type { TestServer } from '../helpers/server.js';

const { dataDir, start, later } = perTest();

async function client(server: TestServer): Promise<TestClient> {
  const c = new TestClient(server.url);
  later(async () => c.close());
  await c.welcome();
  return c;
}

/** `d0.d1....` of `n` segments. */
function deep(n: number): string {
  return Array.from({ length: n }, (_, i) => `d${i}`).join('.');
}

async function writeSnapshot(dir: string, text: string, rev = 3): Promise<string> {
  const file = docFiles(dir, 'default').snapshot;
  await writeFile(file, encodeSnapshot({ doc: 'default', epoch: 'e0', rev, text, applied: [] }));
  return file;
}

describe('hostile: what is accepted can be stored, reloaded and sent', () => {
  // Old: 30 links of 61 levels each were accepted (1 800 deep); clients failed on the welcome.
  it('refuses &= chains that would make the tree deeper than maxTreeDepth', async () => {
    const dir = await dataDir();
    const first = await start({ dataDir: dir, compactionBytes: 1_024 });
    await first.server.write('default', `c0.${deep(60)}=1\n`);
    const attacker = await client(first);
    let refused: string | undefined;
    for (let k = 1; k <= 30 && refused === undefined; k++) {
      const id = attacker.change(`c${k}.${deep(60)}&=c${k - 1}\nc${k - 1}=\n`);
      await attacker.settled(id);
      refused = attacker.rejected.get(id)?.fields.code;
    }
    expect(refused).toBe('TREE_TOO_DEEP');
    const doc = first.server.document('default')!;
    expect(treeDepth(doc.root) + 64).toBeLessThanOrEqual(1_000);
    // A client with the codec's default limits reads the welcome.
    const late = await client(first);
    expect(late.root).toEqual(doc.root);
    const before = doc.snapshot();
    await first.close();
    expect(await readdir(dir)).toContain('doc-default.snapshot'); // reloaded from a snapshot
    const second = await start({ dataDir: dir });
    expect((await second.server.open('default')).snapshot()).toBe(before);
  });

  // Old: `+=` grew strings past what the snapshot reader accepts (18.9 MB stored, 16 MiB readable).
  it('refuses += past maxStringLength; the string reloads', async () => {
    const dir = await dataDir();
    const first = await start({ dataDir: dir, maxStringLength: 2_000_000 });
    const attacker = await client(first);
    const chunk = 'x'.repeat(900_000);
    const codes: (string | undefined)[] = [];
    for (let i = 0; i < 3; i++) {
      const id = attacker.change(`s+=${chunk}\n`);
      await attacker.settled(id);
      codes.push(attacker.rejected.get(id)?.fields.code);
    }
    expect(codes).toEqual([undefined, undefined, 'LIMIT_STRING']);
    await first.close();
    const second = await start({ dataDir: dir });
    const doc = await second.server.open('default');
    expect((doc.root as { s: string }).s.length).toBe(1_800_000);
  });

  it('loads what older servers accepted: longer lines and deeper paths than the codec defaults', async () => {
    const dir = await dataDir();
    const long = 'y'.repeat(17 * 1024 * 1024);
    await writeSnapshot(dir, `s=${long}\n${deep(1_100)}=1\nok=1\n`);
    const server = await start({ dataDir: dir });
    const doc = await server.server.open('default');
    expect(doc.rev).toBe(3);
    expect(doc.epoch).toBe('e0');
    const root = doc.root as { s: string; ok: number };
    expect(root.s.length).toBe(long.length);
    expect(root.ok).toBe(1);
    expect(treeDepth(root)).toBe(1_100);
  });

  it('sets an unreadable snapshot aside, starts from what is readable, reports it', async () => {
    const dir = await dataDir();
    const file = await writeSnapshot(dir, 'a=1\nb=2\n');
    const data = await readFile(file);
    data[data.length - 2] = 0x5a; // the body no longer matches its CRC
    await writeFile(file, data);
    const server = await start({ dataDir: dir });
    const writer = await client(server);
    const id = writer.change('c=3\n');
    await writer.settled(id);
    expect(writer.acked.has(id)).toBe(true);
    expect(writer.closed).toBeUndefined();
    const doc = server.server.document('default')!;
    expect(doc.root).toEqual({ c: 3 });
    expect(doc.epoch).not.toBe('e0');
    const files = await readdir(dir);
    const aside = files.find((f) => f.startsWith('doc-default.snapshot.corrupt-'));
    expect(aside).toBeDefined();
    expect((await readFile(join(dir, aside!))).equals(data)).toBe(true);
    expect(await server.server.metrics.text()).toContain(
      'varstream_storage_recoveries_total{kind="snapshot"} 1',
    );
  });

  it('skips the statements of a snapshot that do not apply and keeps the rest', async () => {
    const dir = await dataDir();
    await writeSnapshot(dir, 'a=1\nb.c=2\nb.c.d+=true\ne=3\n');
    const server = await start({ dataDir: dir });
    const doc = await server.server.open('default');
    expect(doc.root).toEqual({ a: 1, b: { c: 2 }, e: 3 });
    expect(doc.rev).toBe(3);
    expect(doc.epoch).not.toBe('e0');
    const late = await client(server);
    expect(late.root).toEqual(doc.root);
    expect(late.epoch).toBe(doc.epoch);
  });
});
