// The join figure of `pnpm bench:sync`: the bytes one person costs to open
// the demo's form (five fields, a 2 KB message), both directions, with
// @varstream/client as the demo uses it (its hello, a presence with a name
// and a colour), against a server of the build measured. Counted: every
// WebSocket frame after the HTTP upgrade, payload and header (a client's
// header is masked: 4 bytes more), until the client is synced and its
// presence has reached the server.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { stringify } from '@varstream/varstream';
import WebSocket from 'ws';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The demo's five fields, filled in; the message is 2 048 bytes of real
 * prose (the start of the codec's README, line breaks kept), so that what
 * compression gives is what a person's text would give.
 */
function formText() {
  const readme = readFileSync(join(here, '../../varstream/README.md'), 'utf8');
  const message = readme.replace(/[^\x20-\x7e\n]/g, ' ').slice(0, 2048);
  return `${stringify({
    form: {
      firstname: 'Mickaël',
      lastname: 'Vendetta',
      email: 'micka@elysee.fr',
      subject: 'Ça se passe comment ???',
      message,
    },
  })}`;
}

/**
 * A `ws` WebSocket that counts the bytes of its socket once the upgrade is
 * done: WebSocket frames both ways, headers included, compressed or not.
 * `deflate`: offer permessage-deflate, as browsers do.
 */
function countingWebSocket(counts, deflate) {
  return class CountingWebSocket extends WebSocket {
    constructor(url) {
      super(url, { perMessageDeflate: deflate });
      this.once('open', () => {
        const socket = this._socket;
        const read0 = socket.bytesRead;
        const written0 = socket.bytesWritten;
        counts.read = () => socket.bytesRead - read0;
        counts.written = () => socket.bytesWritten - written0;
        counts.extensions = this.extensions;
      });
    }
  };
}

/**
 * Opens the form once with @varstream/client against the server build in
 * `dist`, offering permessage-deflate or not; returns the bytes each way.
 */
export async function measureJoin(dist, deflate) {
  const { VarStreamServer, silentLogger } = await import(
    pathToFileURL(join(dist, 'index.js')).href
  );
  // The client is not a dependency of the server: its build in the workspace
  // (the bench:sync script builds it).
  const { connect } = await import(pathToFileURL(join(here, '../../client/dist/index.js')).href);
  const server = new VarStreamServer({ host: '127.0.0.1', port: 0, logger: silentLogger });
  await server.listen();
  const text = formText();
  await server.write('default', text);
  const counts = {};
  const doc = connect(server.url, {
    WebSocket: countingWebSocket(counts, deflate),
    presence: { name: 'Ada', color: '#e4572e' },
  });
  let result;
  try {
    await doc.whenSynced();
    // The presence line goes out right after the welcome: wait until the server has it.
    const deadline = Date.now() + 5_000;
    while (server.metrics.counts.framesIn < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    result = {
      up: counts.written(),
      down: counts.read(),
      compressed: counts.extensions !== '',
      formBytes: Buffer.byteLength(text),
    };
  } finally {
    doc.close();
    await server.close();
  }
  return { ...result, deflateMicros: deflateCost(text) };
}

/**
 * CPU time of compressing the form's text as the server compresses a welcome (zlib, the
 * server's window and memory settings), in microseconds: what each join
 * costs the server with permessage-deflate (no other frame is compressed).
 */
function deflateCost(text) {
  const data = Buffer.from(text, 'utf8');
  const options = { windowBits: 10, memLevel: 4 };
  const cpu = () => {
    const { user, system } = process.cpuUsage();
    return user + system;
  };
  for (let i = 0; i < 50; i++) deflateRawSync(data, options);
  const start = cpu();
  let n = 0;
  while (cpu() - start < 200_000) {
    deflateRawSync(data, options);
    n++;
  }
  return (cpu() - start) / n;
}
