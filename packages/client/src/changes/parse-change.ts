import { PathContext, Reader, type Statement } from '@varstream/varstream';
import { toClientError } from '../errors.js';

/**
 * Parses VarStream text into the statements of one change, with the codec's
 * reader in strict mode and a fresh `^` context: `^` is expanded into absolute
 * paths (after `list.+.a=1`, `^.b=2` is `list.*.b=2`), so the change means the
 * same thing wherever it is applied. Comments are dropped. Throws a
 * ClientError carrying the codec's code on the first error.
 */
export function parseChange(text: string): Statement[] {
  const reader = new Reader({ strict: true, context: new PathContext() });
  const out: Statement[] = [];
  try {
    reader.end(text);
    for (let entry = reader.read(); entry !== null; entry = reader.read()) {
      if (entry.op !== '#') out.push(entry);
    }
  } catch (err) {
    throw toClientError(err);
  }
  return out;
}
