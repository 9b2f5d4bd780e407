import { ClientError } from '../errors.js';

const SCHEMES = new Set(['ws:', 'wss:', 'http:', 'https:']);

/**
 * `url` checked as a document URL (`ws://host:port/<doc>`; `wss:`, and
 * `http:`/`https:`, which WebSockets take too): anything else is a
 * `BAD_URL` error at `connect` (JavaScript callers included), rather than a
 * bare `Invalid URL` TypeError or a socket that never opens.
 */
export function documentUrl(url: string): string {
  if (typeof url === 'string' && SCHEMES.has(protocolOf(url))) return url;
  const shown = typeof url === 'string' ? JSON.stringify(url) : String(url);
  throw new ClientError(
    'BAD_URL',
    `Not a document URL: ${shown} (expected ws://host:port/<document> or wss://…)`,
  );
}

function protocolOf(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return '';
  }
}
