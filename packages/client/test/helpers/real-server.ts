import { VarStreamServer, type VarStreamServerOptions } from '@varstream/server';
import { WebSocket } from 'ws';
import type { ConnectOptions, VarStreamDocument } from '../../src/index.js';
import { connect } from '../../src/index.js';

/** The real `@varstream/server` (a devDependency) on 127.0.0.1, any free port. */
export async function startServer(options: VarStreamServerOptions = {}): Promise<VarStreamServer> {
  const server = new VarStreamServer({ host: '127.0.0.1', port: 0, logLevel: 'error', ...options });
  await server.listen();
  return server;
}

/** ws's WebSocket, with every socket it opens kept so that a test can cut one (a real disconnect). */
export function trackedWebSocket() {
  const sockets: WebSocket[] = [];
  class Tracked extends WebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  return {
    WebSocket: Tracked,
    sockets,
    /** Cuts the newest socket without a close handshake. */
    kill(): void {
      sockets.at(-1)?.terminate();
    },
  };
}

/** A client with fast reconnection, tracked sockets, on document `doc` of `server`. */
export function client<S = unknown>(
  server: VarStreamServer,
  doc = 'doc',
  options: ConnectOptions = {},
): VarStreamDocument<S> & { kill(): void; sockets: WebSocket[] } {
  const tracked = trackedWebSocket();
  const handle = connect<S>(`${server.url}${doc}`, {
    WebSocket: tracked.WebSocket,
    backoff: { baseMs: 5, maxMs: 40 },
    ...options,
  });
  return Object.assign(handle, { kill: tracked.kill, sockets: tracked.sockets });
}
