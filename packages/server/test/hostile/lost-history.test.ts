/**
 * Issue 9, item 9: after a torn or corrupt journal tail (possible with
 * `--fsync never` or `interval`), the server kept its epoch and gave the
 * lost revision numbers to new changes: a client resuming with `rev=5
 * epoch=E` replayed unrelated revisions and silently diverged. Losing
 * history now changes the epoch, so resuming clients get a snapshot.
 */
import { readFile, truncate, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeJournal } from '../../src/journal/record.js';
import { docFiles } from '../../src/storage/file-names.js';
import type { FsyncPolicy } from '../../src/storage/fsync-policy.js';
import { TestClient } from '../helpers/client.js';
import { startServer, type TestServer, tempDir } from '../helpers/server.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(dir: string, fsync: FsyncPolicy): Promise<TestServer> {
  const server = await startServer({ dataDir: dir, fsync });
  cleanups.push(() => server.close());
  return server;
}

async function connect(server: TestServer, resume?: TestClient): Promise<TestClient> {
  const client = new TestClient(server.url, resume === undefined ? {} : { resume });
  cleanups.push(async () => client.close());
  await client.welcome();
  return client;
}

/** Five revisions seen by a reader, then a clean shutdown; returns the reader and the journal's path. */
async function history(fsync: FsyncPolicy) {
  const dir = await tempDir();
  cleanups.push(dir.remove);
  const first = await start(dir.path, fsync);
  const writer = await connect(first);
  const reader = await connect(first);
  for (let i = 1; i <= 5; i++) await writer.settled(writer.change(`n=${i}\nlog.+=${i}\n`));
  await reader.atRev(5);
  reader.close();
  await first.close();
  return { dir: dir.path, reader, journal: docFiles(dir.path, 'default').journal };
}

/** Cuts the journal inside its fourth record: what a crash leaves when it was never fsynced. */
async function tearTail(journal: string): Promise<void> {
  const records = decodeJournal(await readFile(journal)).records;
  await truncate(journal, records[2]!.end + 10);
}

/** Restarts, lets another client write two changes (revisions 4 and 5 again), resumes the reader. */
async function resumeAfterLoss(dir: string, fsync: FsyncPolicy, reader: TestClient) {
  const second = await start(dir, fsync);
  const doc = await second.server.open('default');
  expect(doc.rev).toBe(3);
  const other = await connect(second);
  for (const body of ['m=1\n', 'm=2\n']) await other.settled(other.change(body));
  expect(doc.rev).toBe(5);
  const resumed = await connect(second, reader);
  await resumed.atRev(5);
  return { doc, resumed, server: second };
}

describe('hostile: lost history changes the epoch', () => {
  it('torn tail under fsync never: a new epoch, the resuming client gets a snapshot', async () => {
    const { dir, reader, journal } = await history('never');
    const epoch = reader.epoch;
    await tearTail(journal);
    const { doc, resumed } = await resumeAfterLoss(dir, 'never', reader);
    expect(doc.epoch).not.toBe(epoch);
    expect(resumed.metasOf('snapshot').length).toBe(1);
    expect(resumed.metasOf('replay').length).toBe(0);
    // Old: the client kept its n=5 and log of five entries (replayed nothing), silently.
    expect(resumed.root).toEqual(doc.root);
    expect(resumed.root).toEqual({ n: 3, log: [1, 2, 3], m: 2 });
  });

  it('corrupt record: a new epoch, kept across the next restart', async () => {
    const { dir, reader, journal } = await history('interval');
    const epoch = reader.epoch;
    const data = await readFile(journal);
    const records = decodeJournal(data).records;
    const at = records[3]!.end - 2; // a byte of the fourth record's body: its CRC fails
    data[at] = data[at]! ^ 0x01;
    await writeFile(journal, data);
    const { doc, resumed, server } = await resumeAfterLoss(dir, 'interval', reader);
    expect(doc.epoch).not.toBe(epoch);
    expect(resumed.root).toEqual(doc.root);
    const newEpoch = doc.epoch;
    const root = structuredClone(doc.root);
    await server.close();
    const third = await start(dir, 'interval');
    const again = await third.server.open('default');
    expect(again.epoch).toBe(newEpoch);
    expect(again.root).toEqual(root);
  });

  it('torn tail under fsync always: nothing was sent, the epoch stays', async () => {
    const { dir, reader, journal } = await history('always');
    const epoch = reader.epoch;
    // The torn record was being written when the crash came: never fsynced, never sent.
    const records = decodeJournal(await readFile(journal)).records;
    await truncate(journal, records[4]!.end - 3);
    const second = await start(dir, 'always');
    const doc = await second.server.open('default');
    expect(doc.rev).toBe(4);
    expect(doc.epoch).toBe(epoch);
  });
});
