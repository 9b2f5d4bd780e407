import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VarStreamServer } from '../src/index.js';
import { decodeJournal } from '../src/journal/record.js';
import { connectAll, TestClient } from './helpers/client.js';
import { perTest } from './helpers/per-test.js';

const { dataDir, start } = perTest();

/** Sends `count` changes, at most `window` unacknowledged at a time; resolves when all are acknowledged. */
async function writeMany(
  client: TestClient,
  count: number,
  body: (i: number) => string,
  window = 32,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i >= window) await client.settled(ids[i - window]!);
    ids.push(client.change(body(i)));
  }
  for (const id of ids) await client.settled(id);
  return ids;
}

function metric(text: string, name: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

describe('durability', () => {
  // Regression: listen() never settled on /proc/x (Node 20's recursive mkdir loops there).
  it('listen() refuses a data directory it cannot create or write (DATA_DIR), at once', async () => {
    for (const [dir, reason] of [
      ['/proc/varstream-test/data', 'cannot create the data directory'],
      ['/proc/1', 'cannot write in the data directory'],
    ] as const) {
      const server = new VarStreamServer({ port: 0, dataDir: dir });
      await expect(server.listen()).rejects.toMatchObject({
        name: 'ServerError',
        code: 'DATA_DIR',
        message: expect.stringContaining(`${reason} ${dir}:`),
      });
      await server.close();
    }
  });

  it('restarts from the journal, keeps revision numbers, drops a torn tail', async () => {
    const dir = await dataDir();
    const first = await start({ dataDir: dir });
    const [client] = await connectAll(first.url, 1);
    await writeMany(client!, 30, (i) => `n.i${i}=${i}\ncount+=1\nlist.+=é${i}\n`);
    const before = first.server.document('default')!;
    const root = structuredClone(before.root);
    const rev = before.rev;
    expect(rev).toBe(30);
    client!.close();
    await first.close();

    const journal = join(dir, 'doc-default.journal');
    const size = (await stat(journal)).size;
    // What a crash in the middle of a write leaves: half a record.
    await writeFile(journal, '#vs change rev=31 conn=x id=y:1 len=40 crc=0badf00d\ntorn.va', {
      flag: 'a',
    });

    const second = await start({ dataDir: dir });
    const loaded = await second.server.open('default');
    expect(loaded.rev).toBe(rev);
    expect(loaded.root).toEqual(root);
    expect((await stat(journal)).size).toBe(size);
    expect((await readdir(dir)).some((f) => f.includes('corrupt'))).toBe(false);

    // Numbering goes on, and a third start sees the new revision too.
    const [again] = await connectAll(second.url, 1);
    expect(again!.rev).toBe(rev);
    await again!.settled(again!.change('after.restart=true\n'));
    expect(second.server.document('default')!.rev).toBe(rev + 1);
    again!.close();
    await second.close();
    const third = await start({ dataDir: dir });
    const reloaded = await third.server.open('default');
    expect(reloaded.rev).toBe(rev + 1);
    expect((reloaded.root as { after: unknown }).after).toEqual({ restart: true });
  });

  it('keeps invalid data after the last valid record aside and loads the rest', async () => {
    const dir = await dataDir();
    const first = await start({ dataDir: dir });
    await first.server.write('default', 'a=1\n');
    await first.server.write('default', 'b=2\n');
    await first.server.write('default', 'c=3\n');
    await first.close();
    const journal = join(dir, 'doc-default.journal');
    const data = await readFile(journal);
    const records = decodeJournal(data).records;
    expect(records.map((r) => r.rev)).toEqual([1, 2, 3]);
    // Flip a byte in the body of the second record: its CRC fails.
    const corrupt = Buffer.from(data);
    corrupt[data.indexOf(10, records[0]!.end) + 1] = 0x5a;
    await writeFile(journal, corrupt);

    const second = await start({ dataDir: dir });
    const loaded = await second.server.open('default');
    expect(loaded.rev).toBe(1);
    expect(loaded.root).toEqual({ a: 1 });
    const files = await readdir(dir);
    const aside = files.find((f) => f.startsWith('doc-default.journal.corrupt-'));
    expect(aside).toBeDefined();
    expect((await readFile(join(dir, aside!))).equals(corrupt)).toBe(true);
    // History was lost: a new epoch, written at once in a snapshot of what was kept.
    expect(loaded.epoch).not.toBe(decodeJournal(data).epoch);
    await expect(stat(journal)).rejects.toThrow();
    const snapshot = await readFile(join(dir, 'doc-default.snapshot'), 'utf8');
    expect(snapshot).toContain(`epoch=${loaded.epoch} rev=1 `);
  });

  it('compacts into snapshots under load; restart = snapshot + journal; ids survive', async () => {
    const dir = await dataDir();
    const first = await start({ dataDir: dir, compactionBytes: 4_096 });
    const writers = await connectAll(first.url, 4);
    const reader = new TestClient(first.url, { protocol: false });
    await reader.welcome();
    const ids = await Promise.all(
      writers.map((w, k) =>
        writeMany(w, 150, (i) => `w${k}.v${i % 20}=${i}\nw${k}.total+=${i}\nlog.+=w${k}-${i}\n`),
      ),
    );
    const doc = first.server.document('default')!;
    expect(doc.rev).toBe(600);
    const metrics = await first.server.metrics.text();
    expect(metric(metrics, 'varstream_compactions_total')).toBeGreaterThanOrEqual(1);
    const written = metric(metrics, 'varstream_journal_bytes_written_total');
    expect((await stat(join(dir, 'doc-default.journal'))).size).toBeLessThan(written);
    for (const client of [...writers, reader]) {
      await client.atRev(doc.rev);
      expect(client.root).toEqual(doc.root);
    }
    const root = structuredClone(doc.root);
    for (const client of [...writers, reader]) client.close();
    await first.close();
    // (After close: a compaction may still be running before.)
    const files = await readdir(dir);
    expect(files).toContain('doc-default.snapshot');
    expect(files).not.toContain('doc-default.journal.next');

    const second = await start({ dataDir: dir, compactionBytes: 4_096 });
    const loaded = await second.server.open('default');
    expect(loaded.rev).toBe(600);
    expect(loaded.root).toEqual(root);
    // A resent change (an early one, from the snapshot; a late one, from the journal) is not applied again.
    const resent = new TestClient(second.url, { resume: writers[0] });
    await resent.welcome();
    const early = ids[0]![100]!;
    const late = ids[0]![149]!;
    resent.send(`#vs change id=${early}\nw0.total+=1000000\n`);
    resent.send(`#vs change id=${late}\nw0.total+=1000000\n`);
    await resent.settled(late);
    await resent.settled(early);
    const acks = resent.metasOf('ack');
    expect(acks.map((m) => [m.fields.id, m.fields.duplicate])).toEqual([
      [early, '1'],
      [late, '1'],
    ]);
    expect(second.server.document('default')!.rev).toBe(600);
    expect(second.server.document('default')!.root).toEqual(root);
    resent.close();
  });

  it('loads a compaction interrupted by a crash (.journal.next) and tidies the files', async () => {
    const dir = await dataDir();
    const first = await start({ dataDir: dir });
    for (let i = 1; i <= 6; i++) await first.server.write('default', `k${i}=${i}\nsum+=${i}\n`);
    const root = structuredClone(first.server.document('default')!.root);
    await first.close();
    const journal = join(dir, 'doc-default.journal');
    const data = await readFile(journal);
    const cut = decodeJournal(data).records[2]!.end;
    // Revisions 1-3 in the old journal, 4-6 in the one that was taking over.
    await writeFile(journal, data.subarray(0, cut));
    await writeFile(`${journal}.next`, data.subarray(cut));

    const second = await start({ dataDir: dir });
    const loaded = await second.server.open('default');
    expect(loaded.rev).toBe(6);
    expect(loaded.root).toEqual(root);
    expect((await readdir(dir)).sort()).toEqual(['doc-default.snapshot']);
    await second.server.write('default', 'k7=7\n');
    await second.close();
    const third = await start({ dataDir: dir });
    expect((await third.server.open('default')).rev).toBe(7);
  });

  it.each(['interval', 'never'] as const)(
    'fsync %s: a graceful restart keeps everything',
    async (fsync) => {
      const dir = await dataDir();
      const first = await start({ dataDir: dir, fsync, fsyncIntervalMs: 20 });
      const [client] = await connectAll(first.url, 1);
      await writeMany(client!, 40, (i) => `p.v${i}=${i}\nsum+=${i}\n`);
      const root = structuredClone(first.server.document('default')!.root);
      client!.close();
      await first.close();
      const second = await start({ dataDir: dir, fsync });
      const loaded = await second.server.open('default');
      expect(loaded.rev).toBe(40);
      expect(loaded.root).toEqual(root);
    },
  );

  it('names files safely for any document name', async () => {
    const dir = await dataDir();
    const server = await start({ dataDir: dir });
    const names = ['Team/Notes', 'team/notes', 'a.b-c_d', `x${'y'.repeat(127)}`];
    for (const name of names) await server.server.write(name, `doc=${JSON.stringify(name)}\n`);
    await server.close();
    const files = await readdir(dir);
    expect(files.filter((f) => f.endsWith('.journal'))).toHaveLength(4);
    for (const file of files) {
      expect(file).toMatch(/^doc-[a-z0-9_~A-F-]+\.journal$/);
      expect(file.length).toBeLessThan(200);
    }
    const again = await start({ dataDir: dir });
    for (const name of names) {
      expect((await again.server.open(name)).root).toEqual({ doc: name });
    }
  });
});
