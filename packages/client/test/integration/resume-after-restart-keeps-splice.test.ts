import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { untilQuiescent } from '../helpers/quiescence.js';
import { client, startServer } from '../helpers/real-server.js';
import { until } from '../helpers/wait.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// Regression (found by sync-fuzz.property.test.ts): the journal keeps a
// splice into a short string as the resulting value (`t=B`), and after a
// restart the resume log is refilled from it. A splice client resuming from
// before that revision got `t=B` in its replay, took it for a replacement
// and voided the splice it had typed offline (an empty change went out):
// what it typed was lost. It now gets a snapshot, on which its pending
// splices are re-applied and sent again.
it('a splice typed offline survives a resume across a server restart past a journaled splice', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'vs-resume-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const first = await startServer({ dataDir });
  const port = first.address()!.port;
  await first.write('doc', 't=""\n');
  // No automatic reconnection: the test says when.
  const a = client(first, 'doc', { backoff: { baseMs: 600_000, maxMs: 600_000 } });
  cleanups.push(() => a.close());
  await a.whenSynced();
  a.kill();
  await until(() => a.status === 'offline');
  a.splice('t', 0, 0, 'A'); // typed offline, based on t=""
  await first.write('doc', 't~=0,0,B\n'); // someone else's splice, journaled as t=B
  await first.close();
  const second = await startServer({ dataDir, port });
  cleanups.push(() => second.close());
  a.reconnect();
  await untilQuiescent(second, 'doc', [a]);
  const t = (second.document('doc')!.root as { t: string }).t;
  expect([...t].sort().join('')).toBe('AB');
  expect(a.get([])).toEqual({ t });
});
