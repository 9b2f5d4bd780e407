import { afterEach, expect, it } from 'vitest';
import { MemoryStorage } from '../../src/index.js';
import { holdingWebSocket } from '../helpers/holding-websocket.js';
import { untilQuiescent } from '../helpers/quiescence.js';
import { client, startServer } from '../helpers/real-server.js';
import { until } from '../helpers/wait.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// Regression (found by sync-fuzz.property.test.ts, strict): a client appends
// to the text (`+=`), somebody replaces the string before the append reaches
// the server, and the client types after its own append meanwhile. Its splice
// kept the position it had on the old string: typed text landed before the
// text it followed (or past the end: SPLICE_RANGE).
it('a splice typed after ones own += follows it when someone replaces the string meanwhile', async () => {
  const server = await startServer();
  cleanups.push(() => server.close());
  await server.write('doc', 't=abc\n');
  const link = holdingWebSocket();
  const a = client(server, 'doc', { storage: new MemoryStorage(), WebSocket: link.WebSocket });
  cleanups.push(() => a.close());
  const b = client(server, 'doc', { storage: new MemoryStorage() });
  cleanups.push(() => b.close());
  await Promise.all([a.whenSynced(), b.whenSynced()]);
  link.hold(); // what a sends now waits: its `+=` reaches the server after b's replacement
  a.apply('+=', 't', 'X');
  a.splice('t', 4, 0, 'Y'); // after its own X: "abcXY"
  expect(a.get('t')).toBe('abcXY');
  b.set('t', '0123456789');
  await until(() => String(a.get('t')).startsWith('0123'));
  link.release();
  await untilQuiescent(server, 'doc', [a, b]);
  expect(server.document('doc')!.root).toEqual({ t: '0123456789XY' });
  expect(a.get([])).toEqual({ t: '0123456789XY' });
});
