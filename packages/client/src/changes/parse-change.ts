import { readText, type Statement } from '@varstream/varstream';
import { toClientError } from '../errors.js';

/**
 * Parses VarStream text into the statements of one change, with the codec's
 * whole-text reader in strict mode and a fresh `^` context: `^` is expanded into absolute
 * paths (after `list.+.a=1`, `^.b=2` is `list.*.b=2`), so the change means the
 * same thing wherever it is applied. Comments are dropped. Throws a
 * ClientError carrying the codec's code on the first error.
 */
export function parseChange(text: string): Statement[] {
  try {
    return readText(text, { strict: true }) as Statement[];
  } catch (err) {
    throw toClientError(err);
  }
}
