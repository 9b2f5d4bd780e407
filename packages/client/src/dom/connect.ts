import { connect as connectCore } from '../document/connect.js';
import type { ConnectOptions, VarStreamDocument } from '../document/types.js';

/**
 * `connect` for pages: the core `connect` (same options, same defaults:
 * pending changes kept in `localStorage` unless `storage` is given), and an
 * offline document reconnects at once when the browser says the network is
 * back (`online`) instead of waiting out its backoff delay.
 */
export function connect<Schema = unknown>(
  url: string,
  options: ConnectOptions = {},
): VarStreamDocument<Schema> {
  const doc = connectCore<Schema>(url, options);
  if (typeof window !== 'undefined') {
    const online = () => doc.reconnect();
    window.addEventListener('online', online);
    doc.on('status', (status) => {
      if (status === 'closed') window.removeEventListener('online', online);
    });
  }
  return doc;
}
