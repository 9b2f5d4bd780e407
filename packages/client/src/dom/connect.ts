import { connect as connectCore } from '../document/connect.js';
import type { ConnectOptions, VarStreamDocument } from '../document/types.js';

/**
 * `connect` for pages: the core `connect` (same options, same defaults:
 * pending changes kept in `localStorage` unless `storage` is given), and an
 * offline document reconnects at once when the browser says the network is
 * back (`online`) instead of waiting out its backoff delay, and a connected
 * one checks its socket when the browser says the network is gone
 * (`offline`: `checkConnection()`), instead of showing `open` until its
 * silence timeout.
 */
export function connect<Schema = unknown>(
  url: string,
  options: ConnectOptions = {},
): VarStreamDocument<Schema> {
  const doc = connectCore<Schema>(url, options);
  if (typeof window !== 'undefined') {
    const online = () => doc.reconnect();
    const offline = () => doc.checkConnection();
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    doc.on('status', (status) => {
      if (status !== 'closed') return;
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
    });
  }
  return doc;
}
