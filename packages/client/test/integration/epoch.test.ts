import { VarStreamServer } from '@varstream/server';
import { afterEach, describe, expect, it } from 'vitest';
import { client, startServer } from '../helpers/real-server.js';
import { until } from '../helpers/wait.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(): Promise<VarStreamServer> {
  const server = await startServer();
  cleanups.push(() => server.close());
  return server;
}

describe('histories (epochs)', () => {
  it('regression: a client resuming on a memory-only server restarted on its port (another history, at a higher revision) got the new revisions replayed over its old tree', async () => {
    const first = await serve();
    const port = first.address()!.port;
    const old = client<Record<string, number>>(first, 'doc');
    cleanups.push(() => old.close());
    old.set(['a'], 1);
    old.set(['b'], 2);
    await old.whenSynced();
    expect(old.rev).toBe(2);
    await first.close();
    await until(() => old.status === 'offline', 'the client offline');
    // The same port, no data: a new history, written past the client's revision before it listens.
    const second = new VarStreamServer({ host: '127.0.0.1', port, logLevel: 'error' });
    cleanups.push(() => second.close());
    await second.write('doc', 'x=1\ny=2\n');
    await second.write('doc', 'z=3\n');
    await second.write('doc', 'w=4\n');
    await second.listen();
    await old.whenSynced();
    expect(old.rev).toBe(3);
    expect(old.get([])).toEqual(second.document('doc')!.root);
    expect(old.get([])).toEqual({ x: 1, y: 2, z: 3, w: 4 });
  });
});
