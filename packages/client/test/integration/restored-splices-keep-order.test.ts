import { afterEach, expect, it } from 'vitest';
import { MemoryStorage } from '../../src/index.js';
import { untilQuiescent } from '../helpers/quiescence.js';
import { client, startServer } from '../helpers/real-server.js';
import { until } from '../helpers/wait.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// Regression (found by sync-fuzz.property.test.ts, strict, seed 11): a page
// types two characters (the second waits for the first's acknowledgement)
// and closes; the server had applied the first. Reloaded, both are restored;
// the first is answered `duplicate`. The second, restored with its own base
// (the server transforms it from there), must not be moved as if it had been
// typed on the view that showed the first twice: it landed before the first.
it('a restored splice written after a restored one the server already holds keeps its place', async () => {
  const server = await startServer();
  cleanups.push(() => server.close());
  await server.write('doc', 't=ab\n');
  const storage = new MemoryStorage();
  const a = client(server, 'doc', { storage });
  await a.whenSynced();
  a.splice('t', 0, 0, 'X'); // sent
  a.splice('t', 1, 0, 'Y'); // waits for X's acknowledgement
  a.close(); // the page closed before it: both wait in storage
  await until(() => (server.document('doc')!.root as { t: string }).t === 'Xab');
  const reloaded = client(server, 'doc', { storage });
  cleanups.push(() => reloaded.close());
  await untilQuiescent(server, 'doc', [reloaded]);
  expect(server.document('doc')!.root).toEqual({ t: 'XYab' });
  expect(reloaded.get([])).toEqual({ t: 'XYab' });
});
