import { Document } from './document.js';
import type { ConnectOptions, VarStreamDocument } from './types.js';

/**
 * Opens a live, optimistic copy of the document at `url`
 * (`ws://host:port/<doc>`). Typed with a schema: `connect<MyForm>(url)`.
 */
export function connect<Schema = unknown>(
  url: string,
  options: ConnectOptions = {},
): VarStreamDocument<Schema> {
  return new Document<Schema>(url, options);
}
