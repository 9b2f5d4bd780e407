import { afterEach, expect, it } from 'vitest';
import { MemoryStorage } from '../../src/index.js';
import { untilQuiescent } from '../helpers/quiescence.js';
import { client, startServer } from '../helpers/real-server.js';
import { until } from '../helpers/wait.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// Regression (found by sync-fuzz.property.test.ts): typing merges into the
// last pending splice while it is unsent, and "unsent" meant "not sent on
// this connection". A splice restored from storage after a reload (or one
// sent before a reconnect) may already be applied under its id: the next
// keystroke merged into it, the merged change went out under that id, the
// server answered `duplicate`, and the keystroke was lost.
it('a keystroke after a reload does not merge into a restored splice the server already applied', async () => {
  const server = await startServer();
  cleanups.push(() => server.close());
  await server.write('doc', 't=""\n');
  const storage = new MemoryStorage();
  const first = client(server, 'doc', { storage });
  await first.whenSynced();
  first.splice('t', 0, 0, 'X'); // sent...
  first.close(); // ...and the page closed before its acknowledgement came
  await until(() => server.document('doc')!.rev === 2); // applied
  const second = client(server, 'doc', { storage });
  cleanups.push(() => second.close());
  second.splice('t', 0, 0, 'Y'); // on the restored view: YX
  await untilQuiescent(server, 'doc', [second]);
  expect(server.document('doc')!.root).toEqual({ t: 'YX' });
  expect(second.get([])).toEqual({ t: 'YX' });
});
