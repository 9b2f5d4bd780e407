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

// Regression (found by sync-fuzz.property.test.ts): a `+=` onto a string
// whose text a 0.3.2 reader cannot take bare (a line break, a quote...) is
// written as the resulting value (`t="abcP\r\n"`). Members with the splice
// extension got that `=` too and took it for a replacement: a client with a
// splice pending on the string voided it and sent an empty change, while the
// server merges a `+=` as an insert at the end. What it typed was lost.
it.each([
  ['quoted text', 'P\r\n'],
  ['the empty string', ''],
])('a splice pending while someone appends %s to the string is kept', async (_, appended) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'vs-append-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const first = await startServer({ dataDir });
  const port = first.address()!.port;
  await first.write('doc', 't=abc\n');
  const a = client(first, 'doc', { storage: new MemoryStorage() });
  cleanups.push(() => a.close());
  await a.whenSynced();
  await first.close();
  await until(() => a.status === 'offline');
  a.splice('t', 0, 0, 'A'); // typed offline, based on t=abc
  // The append lands first (the server writes it before it listens).
  const second = new VarStreamServer({ host: '127.0.0.1', port, dataDir, logLevel: 'error' });
  cleanups.push(() => second.close());
  await second.write('doc', `t+=${JSON.stringify(appended)}\n`);
  await second.listen();
  a.reconnect();
  await untilQuiescent(second, 'doc', [a]);
  expect(second.document('doc')!.root).toEqual({ t: `Aabc${appended}` });
  expect(a.get([])).toEqual({ t: `Aabc${appended}` });
});
