import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, VarStreamServer, type VarStreamServerOptions } from '../../src/index.js';

export interface TestServer {
  readonly server: VarStreamServer;
  /** `ws://127.0.0.1:<port>/` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** A real server on 127.0.0.1, any free port. */
export async function startServer(options: VarStreamServerOptions = {}): Promise<TestServer> {
  const server = new VarStreamServer({
    host: '127.0.0.1',
    port: 0,
    logger: silentLogger,
    ...options,
  });
  await server.listen();
  return { server, url: server.url, port: server.address()!.port, close: () => server.close() };
}

export async function tempDir(prefix = 'varstream-server-'): Promise<{
  path: string;
  remove(): Promise<void>;
}> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
