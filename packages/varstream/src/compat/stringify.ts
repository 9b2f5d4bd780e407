import { legacyStringify } from '../legacy/index.js';
import { compatCall } from './compat-error.js';

/**
 * 0.3.2's `VarStream.stringify(obj)`: the text of an object or an array
 * (`"null"` when it writes nothing). A non-object throws
 * `The stringified object must be an instance of Object.`, `null` throws
 * `The root scope must be an Object or an Array.` (the `Writer`'s message:
 * `typeof null` is `'object'`), as in 0.3.2.
 */
export function compatStringify(obj: unknown): string {
  return compatCall(() => legacyStringify(obj));
}
