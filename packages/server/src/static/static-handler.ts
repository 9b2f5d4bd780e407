import { createReadStream, type Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, sep } from 'node:path';
import { mimeType } from './mime.js';

/** Serves a request, or answers false when it is not for this handler. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

interface Found {
  readonly path: string;
  readonly stats: Stats;
}

/**
 * Serves a directory (a built web app): GET and HEAD only, Content-Type from
 * the extension, `index.html` for directories and, for paths that look like
 * app routes (no extension) when nothing matches, the root `index.html`.
 * Never serves outside the directory: `..` segments, encoded or not, NUL
 * bytes, dot files and symbolic links leading out are all refused (404).
 */
export function createStaticHandler(root: string): RequestHandler {
  const rootReal = realpath(root);
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const base = await rootReal;
    const pathname = (req.url ?? '/').split('?')[0]!.split('#')[0]!;
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      send(res, 400, 'Bad request');
      return true;
    }
    const segments = decoded.split(/[/\\]/).filter((segment) => segment.length > 0);
    const unsafe = decoded.includes('\0') || segments.some((segment) => segment.startsWith('.'));
    let found = unsafe ? undefined : await resolveFile(base, segments);
    if (found === undefined && !unsafe && looksLikeRoute(segments)) {
      found = await resolveFile(base, ['index.html']);
    }
    if (found === undefined) {
      send(res, 404, 'Not found');
      return true;
    }
    serveFile(req, res, found, segments[0] === 'assets');
    return true;
  };
}

/** An app route (`/form/42`), not a missing file (`/app.js`). */
function looksLikeRoute(segments: readonly string[]): boolean {
  const last = segments[segments.length - 1];
  return last === undefined || !last.includes('.');
}

async function resolveFile(base: string, segments: readonly string[]): Promise<Found | undefined> {
  try {
    let path = await realpath(join(base, ...segments));
    if (path !== base && !path.startsWith(base + sep)) return undefined;
    let stats = await stat(path);
    if (stats.isDirectory()) {
      path = await realpath(join(path, 'index.html'));
      if (!path.startsWith(base + sep)) return undefined;
      stats = await stat(path);
    }
    return stats.isFile() ? { path, stats } : undefined;
  } catch {
    return undefined;
  }
}

function serveFile(req: IncomingMessage, res: ServerResponse, found: Found, hashed: boolean): void {
  const { path, stats } = found;
  const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
  const type = mimeType(path);
  res.setHeader('Content-Type', type);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('ETag', etag);
  res.setHeader('Last-Modified', stats.mtime.toUTCString());
  res.setHeader(
    'Cache-Control',
    type.startsWith('text/html')
      ? 'no-cache'
      : hashed
        ? 'public, max-age=31536000, immutable'
        : 'public, max-age=3600',
  );
  if (req.headers['if-none-match'] === etag) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.setHeader('Content-Length', stats.size);
  res.statusCode = 200;
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(path);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

function send(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.end(`${text}\n`);
}
