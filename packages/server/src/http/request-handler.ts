import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from '../static/static-handler.js';

export interface HttpRoutesOptions {
  /** `/healthz`: true while the server accepts connections. */
  healthy(): boolean;
  health(): Record<string, unknown>;
  metrics(): Promise<{ contentType: string; text: string }>;
  /** Serves the rest (a static directory), if any. */
  fallback: RequestHandler | undefined;
}

/**
 * The HTTP side of the server: `/healthz` (JSON, 200 or 503 while closing),
 * `/metrics` (Prometheus text), then the static directory if one is served.
 * Answers false for what it does not serve.
 */
export function createRequestHandler(options: HttpRoutesOptions): RequestHandler {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      const ok = options.healthy();
      res.statusCode = ok ? 200 : 503;
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('Cache-Control', 'no-store');
      res.end(JSON.stringify({ status: ok ? 'ok' : 'closing', ...options.health() }));
      return true;
    }
    if (path === '/metrics' && req.method === 'GET') {
      const { contentType, text } = await options.metrics();
      res.statusCode = 200;
      res.setHeader('Content-Type', contentType);
      res.setHeader('Cache-Control', 'no-store');
      res.end(text);
      return true;
    }
    if (options.fallback !== undefined) return options.fallback(req, res);
    return false;
  };
}
