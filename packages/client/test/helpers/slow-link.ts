import { createServer, type Server, type Socket, connect as tcp } from 'node:net';

/** A TCP relay on 127.0.0.1 that delays what crosses it (see `startSlowLink`). */
export interface SlowLink {
  /** The port to connect to instead of the target's. */
  readonly port: number;
  /** The delay of each chunk from now on, both ways, in milliseconds. */
  delayMs: number;
  close(): Promise<void>;
}

/**
 * A real TCP relay to `127.0.0.1:<targetPort>` (a slow network between a
 * server and Redis): each chunk is passed on `delayMs` after it arrived,
 * never before the chunk ahead of it (order kept, as TCP does).
 */
export async function startSlowLink(targetPort: number): Promise<SlowLink> {
  const sockets = new Set<Socket>();
  const link = { port: 0, delayMs: 0, close: () => closeServer(server, sockets) };
  const relay = (from: Socket, to: Socket) => {
    let last = 0;
    from.on('data', (chunk) => {
      const at = Math.max(Date.now() + link.delayMs, last);
      last = at;
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, at - Date.now());
    });
    from.on('close', () => {
      setTimeout(() => to.destroy(), Math.max(0, last - Date.now()));
    });
    from.on('error', () => {});
  };
  const server: Server = createServer((inbound) => {
    const outbound = tcp(targetPort, '127.0.0.1');
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    relay(inbound, outbound);
    relay(outbound, inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  link.port = typeof address === 'object' && address !== null ? address.port : 0;
  return link;
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}
