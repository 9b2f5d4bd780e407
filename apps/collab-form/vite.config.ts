import type { IncomingMessage } from 'node:http';
import { defaultClientConditions, defineConfig } from 'vite';
import { proxyLogger } from './dev-server/proxy-logger.js';

/** The sync server the dev server proxies WebSockets to (scripts/dev.mjs starts it). */
const serverPort = Number(process.env.VARSTREAM_PORT ?? 8787);

/** Only WebSocket upgrades of the app's own socket go to the sync server; pages and HMR stay with Vite. */
function isDocumentSocket(req: IncomingMessage): boolean {
  if (req.headers.upgrade?.toLowerCase() !== 'websocket') return false;
  const protocol = req.headers['sec-websocket-protocol'] ?? '';
  return !protocol.startsWith('vite-');
}

export default defineConfig(({ command }) => ({
  customLogger: proxyLogger(),
  // In dev, the workspace packages are read from their TypeScript sources (no
  // rebuild needed while working on them); `vite build` uses their dist output.
  resolve: command === 'serve' ? { conditions: ['source', ...defaultClientConditions] } : {},
  server: {
    port: Number(process.env.VITE_PORT ?? 5173),
    strictPort: true,
    host: process.env.HOST ?? 'localhost',
    hmr: { path: '/__vite_hmr' },
    proxy: {
      // The document socket is `ws(s)://<host>/?vs=1`: the same URL as when the
      // built app is served by varstream-server itself.
      '^/(\\?.*)?$': {
        target: `http://127.0.0.1:${serverPort}`,
        ws: true,
        bypass: (req) => (isDocumentSocket(req) ? undefined : req.url),
      },
    },
  },
  build: {
    target: 'es2022',
    sourcemap: true,
  },
}));
