import { connect as connectCore } from '../document/connect.js';
import type { ConnectOptions, VarStreamDocument } from '../document/types.js';
import { browserStorage } from './local-storage.js';

/** `connect` for pages: pending changes survive a reload in `localStorage` unless `storage` is given. */
export function connect<Schema = unknown>(
  url: string,
  options: ConnectOptions = {},
): VarStreamDocument<Schema> {
  return connectCore<Schema>(url, { ...options, storage: options.storage ?? browserStorage() });
}
