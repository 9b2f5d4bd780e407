import { connect } from '@varstream/client';
import type { WebSocket as Node22WebSocket } from 'undici-types';
import WebSocket from 'ws';

// `ws` (the Node quick start), as written in the README.
connect('ws://127.0.0.1:8787/', { WebSocket });

// A subclass of ws, as tests and tools make to watch sockets.
class Watched extends WebSocket {
  constructor(url: string) {
    super(url);
  }
}
connect('ws://127.0.0.1:8787/', { WebSocket: Watched });

// Node 22's global WebSocket (undici's, as @types/node 22 declares it).
declare const NodeGlobal: typeof Node22WebSocket;
connect('ws://127.0.0.1:8787/', { WebSocket: NodeGlobal });

// @ts-expect-error a constructor of something that is not a WebSocket
connect('ws://127.0.0.1:8787/', { WebSocket: Map });
