import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { until } from './wait.js';

export interface PeerSocket {
  readonly url: string;
  readonly socket: WebSocket;
  readonly received: string[];
  closed: boolean;
}

/**
 * A WebSocket endpoint whose frames the test writes by hand, to drive the
 * client's state machine through exact protocol situations (unit tests).
 * Integration tests run against the real `@varstream/server`.
 */
export class ScriptedPeer {
  readonly #wss: WebSocketServer;
  readonly sockets: PeerSocket[] = [];

  private constructor(wss: WebSocketServer) {
    this.#wss = wss;
    wss.on('connection', (socket, req) => {
      const peer: PeerSocket = { url: req.url ?? '', socket, received: [], closed: false };
      socket.on('message', (data) => peer.received.push(String(data)));
      socket.on('close', () => {
        peer.closed = true;
      });
      this.sockets.push(peer);
    });
  }

  static async start(): Promise<ScriptedPeer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    return new ScriptedPeer(wss);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.#wss.address() as AddressInfo).port}/doc`;
  }

  /** The n-th connection (0-based), once it has sent its hello. */
  async connection(n: number): Promise<PeerSocket> {
    return until(
      () => {
        const s = this.sockets[n];
        return s !== undefined && s.received.length > 0 ? s : undefined;
      },
      `connection ${n}`,
      5_000,
    );
  }

  /** Waits for a frame matching `test` on a connection and returns it. */
  async frame(peer: PeerSocket, test: (frame: string) => boolean, from = 0): Promise<string> {
    return until(() => peer.received.slice(from).find(test), 'a frame', 5_000);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.socket.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}
