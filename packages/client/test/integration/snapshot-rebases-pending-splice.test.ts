import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VarStreamServer } from '@varstream/server';
import { afterEach, expect, it } from 'vitest';
import { MemoryStorage } from '../../src/index.js';
import { untilQuiescent } from '../helpers/quiescence.js';
import { client, startServer } from '../helpers/real-server.js';
import { until } from '../helpers/wait.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// Regression (found by sync-fuzz.property.test.ts, strict): a splice typed
// offline, pending across a snapshot (the server restarted: its text history
// starts after the splice's base), was re-applied at its old position. It was
// refused as stale, sent again unchanged on the snapshot's revision, and
// refused for good (SPLICE_RANGE) because the string had got shorter
// meanwhile: the client reported a rejection, the typed text was lost.
it('a splice pending across a snapshot is rebased onto it, not refused when the string got shorter', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'vs-snapshot-splice-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const first = await startServer({ dataDir });
  const port = first.address()!.port;
  await first.write('doc', 't=abcdefgh\n');
  const a = client(first, 'doc', { storage: new MemoryStorage() });
  cleanups.push(() => a.close());
  const rejections: string[] = [];
  a.on('reject', (r) => rejections.push(r.code));
  await a.whenSynced();
  await first.close();
  await until(() => a.status === 'offline');
  a.splice('t', 8, 0, 'Y'); // typed offline at the end of "abcdefgh"
  // Meanwhile somebody deleted the beginning; then the server restarted (history lost).
  const second = new VarStreamServer({ host: '127.0.0.1', port, dataDir, logLevel: 'error' });
  await second.write('doc', 't~=0,6,\n');
  await second.close();
  const third = await startServer({ dataDir, port });
  cleanups.push(() => third.close());
  a.reconnect();
  await untilQuiescent(third, 'doc', [a]);
  expect(rejections).toEqual([]);
  expect(third.document('doc')!.root).toEqual({ t: 'ghY' });
  expect(a.get([])).toEqual({ t: 'ghY' });
});
