import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parse } from '@varstream/varstream';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TestClient } from './helpers/client.js';
import { revisionAfter } from './helpers/revisions.js';
import { startServer, type TestServer } from './helpers/server.js';
import { until } from './helpers/wait.js';

const require = createRequire(import.meta.url);
/** The 2013 demo's saved form (UTF-8, accents), as `--init` loads it. */
const WEBSOCKIPC = join(
  import.meta.dirname,
  '../../varstream/test/fixtures/varstream-0.3.2/websockipc-vars.dat',
);
const Legacy = require('varstream') as {
  Reader: new (root: Record<string, unknown>, prop: string) => { read(text: string): void };
  stringify(value: object): string;
};

/**
 * A plain client, as simple as one can be: a bare `ws` socket (no `vs=1`,
 * no hello) that applies every frame it receives, and nothing else, to its
 * tree: with varstream 0.3.2's own Reader, and, separately, by concatenating
 * the frames and parsing them with this codec. It never applies its own
 * writes: they come back.
 */
class PlainSocket {
  readonly ws: WebSocket;
  readonly frames: string[] = [];
  readonly #holder: Record<string, unknown> = {};
  readonly #legacy = new Legacy.Reader(this.#holder, 'root');
  /** The last revision seen (snapshot or change section). */
  rev = -1;
  /** This connection's id, from the welcome line. */
  conn: string | undefined;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data) => {
      const text = data.toString();
      this.frames.push(text);
      this.conn ??= /^#vs welcome .*\bconn=(\S+)/m.exec(text)?.[1];
      this.#legacy.read(text);
      this.rev = revisionAfter(text, this.rev);
    });
  }

  opened(): Promise<void> {
    return until(() => this.rev >= 0, 'the welcome');
  }

  /** The tree as 0.3.2's Reader built it. */
  get legacyRoot(): unknown {
    return this.#holder.root ?? {};
  }

  /** The tree this codec reads from everything received, in order. */
  get codecRoot(): unknown {
    return parse(this.frames.join('')) ?? {};
  }

  close(): void {
    this.ws.close();
  }
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('plain clients receive every change, their own included', () => {
  it('two plain writers appending to one array and a plain reader end with the server array, in its order', async () => {
    server = await startServer();
    await server.server.write('default', 'list.+=start\n');
    const [a, b, reader] = [0, 1, 2].map(() => new PlainSocket(server!.url)) as [
      PlainSocket,
      PlainSocket,
      PlainSocket,
    ];
    await Promise.all([a.opened(), b.opened(), reader.opened()]);
    const perWriter = 60;
    // Both write flat out, interleaved, without waiting for anything: the
    // server decides the order.
    for (let i = 0; i < perWriter; i++) {
      a.ws.send(`list.+=a${i}\n`);
      b.ws.send(`list.+=b${i}\n`);
      if (i % 7 === 3) a.ws.send(`list.+=a${i}x\nlist.+=a${i}y\n`); // two lines, one change
    }
    const doc = server.server.document('default')!;
    const total = 1 + 2 * perWriter + 2 * Math.ceil((perWriter - 3) / 7);
    await until(() => (doc.root as { list: unknown[] }).list.length === total, 'every append');
    for (const client of [a, b, reader]) await until(() => client.rev === doc.rev, 'last revision');
    const serverList = (doc.root as { list: string[] }).list;
    for (const client of [a, b, reader]) {
      expect(client.legacyRoot).toEqual(doc.root);
      expect(client.codecRoot).toEqual(doc.root);
    }
    // Each writer's items are there in the order it sent them.
    const own = (prefix: string) => serverList.filter((item) => item.startsWith(prefix));
    expect(own('a').filter((item) => /^a[0-9]+$/.test(item))).toEqual(
      Array.from({ length: perWriter }, (_, i) => `a${i}`),
    );
    expect(own('b')).toEqual(Array.from({ length: perWriter }, (_, i) => `b${i}`));
    for (const client of [a, b, reader]) client.close();
  });

  it('a plain writer sending websocat-style frames sees its own lines come back', async () => {
    server = await startServer();
    const writer = new PlainSocket(server.url);
    const other = new PlainSocket(server.url);
    await Promise.all([writer.opened(), other.opened()]);
    // `websocat ws://...` sends each line typed as one text frame, line break
    // included; with --linemode-strip-newlines, without it; a CRLF terminal too.
    writer.ws.send('chat.0=hello from websocat\n');
    writer.ws.send('chat.1=no line break');
    writer.ws.send('chat.2=crlf\r\n');
    writer.ws.send('chat.0+=!\n');
    await until(() => writer.rev === 4, 'the four echoes');
    const received = writer.frames.join('');
    // Its own sections, in order (a frame's first one says its revision, the
    // next ones follow it: PROTOCOL.md 3.2).
    const sections = [...received.matchAll(/^#vs change(?: rev=(\d+))? conn=(\S+)\n(.*)\n/gm)];
    expect(sections.map((m) => m[3])).toEqual([
      'chat.0=hello from websocat',
      'chat.1=no line break',
      'chat.2=crlf',
      'chat.0+=!',
    ]);
    expect(revisionAfter(received, -1)).toBe(4);
    expect(new Set(sections.map((m) => m[2]))).toEqual(new Set([writer.conn]));
    // Nothing but its sections (and the welcome): no separate acknowledgement lines.
    expect(received).not.toMatch(/^#vs (?:ack|error|reject)/m);
    const doc = server.server.document('default')!;
    expect(doc.root).toEqual({ chat: ['hello from websocat!', 'no line break', 'crlf'] });
    await until(() => other.rev === 4, 'the other client');
    for (const client of [writer, other]) {
      expect(client.legacyRoot).toEqual(doc.root);
      expect(client.codecRoot).toEqual(doc.root);
    }
    writer.close();
    other.close();
  });
});

describe('the 2013 WebSockIPC client (a bare socket and varstream 0.3.2)', () => {
  // Regression: a field emptied by a protocol client (the demo's Send writes
  // `form.firstname=""`; deleting a field's whole text is a splice) reached
  // 0.3.2 readers as `form.firstname=""`, which 0.3.2 reads as two quotes.
  it('gets the seeded form, its own echo and a protocol client’s edits, emptied fields included, as the server holds them', async () => {
    server = await startServer({
      init: { text: readFileSync(WEBSOCKIPC, 'utf8'), path: 'form' },
    });
    const page = new PlainSocket(server.url);
    const modern = new TestClient(server.url, { ext: 'splice' });
    await Promise.all([page.opened(), modern.welcome()]);
    const doc = server.server.document('default')!;
    const seeded = {
      firstname: 'Mickaël',
      lastname: 'Vendetta',
      email: 'micka@elysee.fr',
      subject: 'Ça se passe comment ???',
      message: 'Kikoolol ! Ça marche !!!',
    };
    expect(page.legacyRoot).toEqual({ form: seeded });

    // What the 2013 page sends: bare lines, without a final line break too.
    page.ws.send('form.firstname=Alice');
    page.ws.send('form.subject+= Bien.\n');
    await until(() => page.rev === 3, 'its own two lines back');
    expect(page.legacyRoot).toEqual({
      form: { ...seeded, firstname: 'Alice', subject: 'Ça se passe comment ??? Bien.' },
    });

    // A protocol client (splices announced) clears two fields with `=""`,
    // deletes the whole message with a splice and types into another field.
    await modern.atRev(3);
    await modern.settled(modern.change('form.lastname=""\n^.email=""\n'));
    const length = seeded.message.length;
    await modern.settled(modern.change(`form.message~=0,${length}\n`, modern.rev));
    await modern.settled(modern.change('form.firstname~=5,0,!\n', modern.rev));
    await until(() => page.rev === doc.rev, 'the protocol client’s changes');
    expect(doc.root).toEqual({
      form: {
        ...seeded,
        firstname: 'Alice!',
        subject: 'Ça se passe comment ??? Bien.',
        lastname: '',
        email: '',
        message: '',
      },
    });
    expect(page.legacyRoot).toEqual(doc.root);
    expect(page.codecRoot).toEqual(doc.root);
    expect(page.frames.join('')).not.toContain('~=');
    page.close();
    modern.close();
  });

  // Regression: a backslash typed on the 2013 page (`form.path=C:\temp`,
  // sent unescaped, as 0.3.2's writer also saved vars.dat) was refused
  // (BAD_ESCAPE): the page showed it, the server and the other pages did not,
  // and a vars.dat holding one did not load. So was a quote typed at the end
  // of a field (`form.smile+="`, BAD_QUOTE): the page, which puts the field
  // back until the echo comes, lost it.
  it('takes backslashes and quotes as 0.3.2 writes them, in its saved file and its lines', async () => {
    const seeded = { firstname: 'Mick "le" aël', path: 'D:\\vars\\dat', smile: '\\o/' };
    const saved = Legacy.stringify(seeded);
    expect(saved).toContain('path=D:\\vars\\dat\n');
    expect(saved).toContain('firstname=Mick "le" aël\n');
    server = await startServer({ init: { text: saved, path: 'form' } });
    const page = new PlainSocket(server.url);
    const other = new PlainSocket(server.url);
    await Promise.all([page.opened(), other.opened()]);
    const doc = server.server.document('default')!;
    expect(doc.root).toEqual({ form: seeded });

    page.ws.send('form.path=C:\\temp\n');
    page.ws.send('form.smile+= \\_/\n');
    page.ws.send('form.smile+="\n');
    await until(() => page.rev === 4 && other.rev === 4, 'the three lines, on both pages');
    const expected = { form: { ...seeded, path: 'C:\\temp', smile: '\\o/ \\_/"' } };
    expect(doc.root).toEqual(expected);
    for (const client of [page, other]) {
      expect(client.legacyRoot).toEqual(expected);
      expect(client.codecRoot).toEqual(expected);
    }
    page.close();
    other.close();
  });
});
