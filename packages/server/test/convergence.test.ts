import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectAll, TestClient } from './helpers/client.js';
import { int, pick, rng } from './helpers/random.js';
import { revisionAfter } from './helpers/revisions.js';
import { startServer, type TestServer } from './helpers/server.js';
import { until } from './helpers/wait.js';

const require = createRequire(import.meta.url);
const Legacy = require('varstream') as {
  Reader: new (
    root: Record<string, unknown>,
    prop: string,
    options?: number,
  ) => { read(text: string): void };
};

const KEYS = ['a', 'b', 'c', 'd'];
const SUBS = ['x', 'y', 'z'];
const WORDS = ['foo', 'bar', 'baz qux', 'Ça va', 'été'];
const OPS = ['+=', '-=', '*=', '/=', '%='];

/** A random change body: 1 to 4 lines, the first absolute, the next ones may use `^`. */
function randomBody(random: () => number, legacyCompatible: boolean): string {
  const scalar = () => {
    const kind = int(random, legacyCompatible ? 4 : 6);
    if (kind === 0) return String(int(random, 100) - 50);
    if (kind === 1) return pick(random, WORDS);
    if (kind === 2) return pick(random, ['true', 'false', 'null']);
    if (kind === 3) return String(int(random, 1000) / 8);
    if (kind === 4) return pick(random, ['{}', '[]']);
    return '"two\\nlines"';
  };
  const lines: string[] = [];
  const count = 1 + int(random, 4);
  for (let i = 0; i < count; i++) {
    const k = pick(random, KEYS);
    const s = pick(random, SUBS);
    const relative = i > 0 && random() < 0.35;
    if (relative) {
      lines.push(
        random() < 0.5 ? `^.${s}=${scalar()}` : `^.${s}${pick(random, OPS)}${1 + int(random, 9)}`,
      );
      continue;
    }
    switch (int(random, 12)) {
      case 0:
        lines.push(`${k}.${s}=${scalar()}`);
        break;
      case 1:
        lines.push(`${k}.${s}.${pick(random, SUBS)}=${scalar()}`);
        break;
      case 2:
        lines.push(`list.+=${scalar()}`);
        break;
      case 3:
        lines.push(`list.+.${s}=${scalar()}`);
        break;
      case 4:
        lines.push(`list.*=${scalar()}`);
        break;
      case 5:
        lines.push(random() < 0.3 ? `list.!=${scalar()}` : `list.*.${s}=${scalar()}`);
        break;
      case 6:
        lines.push(`n.${s}${pick(random, OPS)}${1 + int(random, 9)}`);
        break;
      case 7:
        lines.push(`n.${s}=${int(random, 100)}`);
        break;
      case 8:
        lines.push(`s.${s}+=${pick(random, WORDS)}`);
        break;
      case 9:
        // References only from `r`, never to it: aliases, no cycles.
        lines.push(
          `r.${s}&=${random() < 0.5 ? `${k}.${pick(random, SUBS)}` : random() < 0.5 ? k : 'list.*'}`,
        );
        break;
      case 10:
        lines.push(`${k}.${s}=`);
        break;
      default:
        lines.push(
          legacyCompatible ? `${k}.${s}=${scalar()}` : `list.${int(random, 4)}.${s}=${scalar()}`,
        );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A plain client that applies every frame with varstream 0.3.2's own Reader. */
class LegacyClient {
  readonly holder: Record<string, unknown> = {};
  readonly ws: WebSocket;
  rev = -1;
  readonly #reader = new Legacy.Reader(this.holder, 'prop');

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data) => {
      const text = data.toString();
      this.#reader.read(text);
      this.rev = revisionAfter(text, this.rev);
    });
  }

  get root(): unknown {
    return this.holder.prop ?? {};
  }
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('convergence', () => {
  it('a client driven by varstream 0.3.2 Reader converges to the server tree', async () => {
    server = await startServer();
    await server.server.write('default', 'form.firstname=Mickaël\nform.count=1\n');
    const legacy = new LegacyClient(server.url);
    const writers = await connectAll(server.url, 4);
    await until(() => legacy.rev >= 1, 'legacy welcome');
    const random = rng(0x0325);
    const ids: [TestClient, string][] = [];
    for (let round = 0; round < 40; round++) {
      for (const writer of writers) ids.push([writer, writer.change(randomBody(random, true))]);
    }
    for (const [writer, id] of ids) await writer.settled(id);
    const doc = server.server.document('default')!;
    await until(() => legacy.rev === doc.rev, 'legacy client at the last revision');
    expect(doc.rev).toBeGreaterThan(40);
    expect(legacy.root).toEqual(doc.root);
    for (const writer of writers) expect(writer.root).toEqual(doc.root);
    legacy.ws.close();
    for (const writer of writers) writer.close();
  });

  it('50 clients sending random concurrent changes all end with the server tree', async () => {
    server = await startServer();
    const clients = await connectAll(server.url, 50);
    const readers = await connectAll(server.url, 3, { protocol: false });
    const random = rng(20_130_611);
    const pending: [TestClient, string][] = [];
    for (let round = 0; round < 12; round++) {
      for (const client of clients) {
        // Sometimes several changes in one frame.
        if (random() < 0.2) {
          const ids = client.changes([randomBody(random, false), randomBody(random, false)]);
          for (const id of ids) pending.push([client, id]);
        } else {
          pending.push([client, client.change(randomBody(random, false))]);
        }
      }
    }
    for (const [client, id] of pending) await client.settled(id, 20_000);
    const doc = server.server.document('default')!;
    const rejected = clients.reduce((n, c) => n + c.rejected.size, 0);
    expect(doc.rev + rejected).toBe(pending.length);
    expect(doc.rev).toBeGreaterThan(pending.length / 3);
    for (const client of [...clients, ...readers]) {
      await client.atRev(doc.rev);
      expect(client.root).toEqual(doc.root);
    }
    for (const client of [...clients, ...readers]) client.close();
  });

  it('keeps `^` per connection: one client never resolves against another one', async () => {
    server = await startServer();
    const [a, b] = await connectAll(server.url, 2);
    const plainA = new TestClient(server.url, { protocol: false });
    const plainB = new TestClient(server.url, { protocol: false });
    await Promise.all([plainA.welcome(), plainB.welcome()]);
    await a!.settled(a!.change('one.two.three=1\n'));
    await b!.settled(b!.change('other.side=1\n'));
    // `^` here follows a's previous statement (one.two.three), not b's.
    await a!.settled(a!.change('^.four=4\n'));
    await b!.settled(b!.change('^.more=2\n'));
    plainA.send('p.q.r=1\n');
    await until(() => a!.rev === 5, 'plain A');
    plainB.send('s.t=1\n');
    await until(() => a!.rev === 6, 'plain B');
    plainA.send('^.u=2\n');
    await until(() => a!.rev === 7, 'plain A again');
    const root = server.server.document('default')!.root;
    expect(root).toEqual({
      one: { two: { three: 1, four: 4 } },
      other: { side: 1, more: 2 },
      p: { q: { r: 1, u: 2 } },
      s: { t: 1 },
    });
    // A rejected change leaves the context where it was.
    await a!.settled(a!.change('one.two.seven=7\nzzz.nope&=missing.path\n'));
    expect(a!.rejected.size).toBe(1);
    await a!.settled(a!.change('^.five=5\n'));
    const after = server.server.document('default')!.root as { one: { two: { five: number } } };
    expect(after.one.two.five).toBe(5);
    for (const c of [a!, b!, plainA, plainB]) c.close();
  });
});
