import { afterEach, expect, it } from 'vitest';
import { MemoryStorage } from '../../src/index.js';
import { untilQuiescent } from '../helpers/quiescence.js';
import { client, startServer } from '../helpers/real-server.js';
import { until } from '../helpers/wait.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// Regression (found by sync-fuzz.property.test.ts, strict, seed 4): a page
// appends (`+=`) and closes before the acknowledgement; reloaded, it types
// after its restored append before the snapshot comes (the view is the
// restored changes alone). The snapshot holds the append already: the view
// showed it twice until the duplicate acknowledgement, and the splice typed
// after it kept its position on the old view: it landed before the append.
it('a splice typed after a restored += that the server already holds lands after it', async () => {
  const server = await startServer();
  cleanups.push(() => server.close());
  await server.write('doc', 't=ab\n');
  const storage = new MemoryStorage();
  const a = client(server, 'doc', { storage });
  await a.whenSynced();
  a.apply('+=', 't', 'X');
  a.close(); // the page closed before the acknowledgement: the append waits in storage
  await until(() => (server.document('doc')!.root as { t: string }).t === 'abX');
  const reloaded = client(server, 'doc', { storage });
  cleanups.push(() => reloaded.close());
  expect(reloaded.get('t')).toBe('X'); // the restored append alone, before the snapshot
  reloaded.splice('t', 1, 0, 'Y'); // after its append
  await untilQuiescent(server, 'doc', [reloaded]);
  expect(server.document('doc')!.root).toEqual({ t: 'abXY' });
  expect(reloaded.get([])).toEqual({ t: 'abXY' });
});

// Same, typed before the restored append (seed 2): it stays before it, even
// where the snapshot brought other text at the same place.
it('a splice typed before a restored += that the server already holds stays before it', async () => {
  const server = await startServer();
  cleanups.push(() => server.close());
  await server.write('doc', 't=""\n');
  const storage = new MemoryStorage();
  const a = client(server, 'doc', { storage });
  await a.whenSynced();
  a.apply('+=', 't', 'X');
  a.close();
  await until(() => (server.document('doc')!.root as { t: string }).t === 'X');
  await server.write('doc', 't~=0,0,Z\n'); // somebody else types at the start meanwhile
  const reloaded = client(server, 'doc', { storage });
  cleanups.push(() => reloaded.close());
  expect(reloaded.get('t')).toBe('X');
  reloaded.splice('t', 0, 0, 'Y'); // before its append
  await untilQuiescent(server, 'doc', [reloaded]);
  expect(server.document('doc')!.root).toEqual({ t: 'YZX' });
  expect(reloaded.get([])).toEqual({ t: 'YZX' });
});
