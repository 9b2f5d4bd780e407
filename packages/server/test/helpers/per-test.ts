import { afterEach } from 'vitest';
import { startServer, type TestServer, tempDir } from './server.js';

/**
 * Servers and data directories that live for one test: call at the top of a
 * test file; everything made through it is undone after each test, last made
 * first (servers close before their directories go).
 */
export function perTest() {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    /** Undone after the test, before what was made earlier. */
    later(cleanup: () => Promise<void>): void {
      cleanups.push(cleanup);
    },
    async dataDir(): Promise<string> {
      const dir = await tempDir();
      cleanups.push(dir.remove);
      return dir.path;
    },
    async start(options: Parameters<typeof startServer>[0]): Promise<TestServer> {
      const server = await startServer(options);
      cleanups.push(() => server.close());
      return server;
    },
  };
}
