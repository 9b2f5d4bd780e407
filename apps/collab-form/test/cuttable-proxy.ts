import { createServer, type Socket, connect as tcpConnect } from 'node:net';

export interface CuttableProxy {
  /** http://127.0.0.1:<port>/ : the server, through this proxy. */
  readonly url: string;
  /** Drops every connection and refuses new ones: a network outage for what uses this proxy. */
  cut(): void;
  /** Accepts connections again. */
  restore(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 (a free port) to the server on `targetPort`: a
 * page opened through it loses its network when it is cut, while the server
 * and the other pages go on.
 */
export async function startCuttableProxy(targetPort: number): Promise<CuttableProxy> {
  const sockets = new Set<Socket>();
  let up = true;
  const proxy = createServer((client) => {
    if (!up) {
      client.destroy();
      return;
    }
    const upstream = tcpConnect(targetPort, '127.0.0.1');
    const pair = [client, upstream];
    const drop = () => {
      for (const s of pair) {
        s.destroy();
        sockets.delete(s);
      }
    };
    for (const s of pair) {
      sockets.add(s);
      s.on('error', drop);
      s.on('close', drop);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const address = proxy.address();
  if (address === null || typeof address === 'string') throw new Error('proxy: no port');
  const cut = () => {
    up = false;
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  return {
    url: `http://127.0.0.1:${address.port}/`,
    cut,
    restore: () => {
      up = true;
    },
    close: () => {
      cut();
      return new Promise((resolve) => proxy.close(() => resolve()));
    },
  };
}
