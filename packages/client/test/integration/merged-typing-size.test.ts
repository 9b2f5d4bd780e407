import { afterEach, expect, it } from 'vitest';
import { MemoryStorage } from '../../src/index.js';
import { holdingWebSocket } from '../helpers/holding-websocket.js';
import { untilQuiescent } from '../helpers/quiescence.js';
import { client, startServer } from '../helpers/real-server.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// Regression: typing merges into the pending change that waits its turn
// (one change, not one per keystroke), and the merged change was not held to
// maxChangeBytes: two 0.6 MB pastes made one change over 1 MB, which the
// server refused at every reconnect (1009), and nothing typed after it ever
// reached the server. A merge past the limit starts a change of its own.
it('regression: typing merged into a waiting change stays within maxChangeBytes (two pastes made one change the server refused for good)', async () => {
  const server = await startServer({ maxFrameBytes: 1_000 });
  cleanups.push(() => server.close());
  await server.write('doc', 't=\n');
  const link = holdingWebSocket();
  const a = client(server, 'doc', {
    storage: new MemoryStorage(),
    WebSocket: link.WebSocket,
    maxChangeBytes: 900,
  });
  cleanups.push(() => a.close());
  await a.whenSynced();
  link.hold(); // the first change waits for its acknowledgement: later typing merges
  a.splice('t', 0, 0, 'x');
  a.splice('t', 1, 0, 'a'.repeat(600));
  a.splice('t', 601, 0, 'b'.repeat(600));
  expect(a.get('t')).toBe(`x${'a'.repeat(600)}${'b'.repeat(600)}`);
  expect(a.pending).toBe(3);
  link.release();
  await untilQuiescent(server, 'doc', [a]);
  expect(server.document('doc')!.root).toEqual({ t: `x${'a'.repeat(600)}${'b'.repeat(600)}` });
});
