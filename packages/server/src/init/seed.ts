import { type Path, parsePath, type Statement } from '@varstream/varstream';
import { DEFAULT_DOC } from '../document/doc-name.js';
import type { SeedState } from '../document/registry.js';
import { ServerError } from '../errors.js';
import type { InitialState } from '../options/options.js';
import { readStatements } from '../reading/statement-reader.js';

/**
 * Reads an initial state (VarStream text, strictly) into statements placed
 * under `path`: `firstname=Alice` with path `form` becomes
 * `form.firstname=Alice`. Throws `INIT_FAILED` at the first error.
 */
export function seedFromText(init: InitialState): SeedState {
  let prefix: Path;
  try {
    prefix = typeof init.path === 'string' ? parsePath(init.path) : (init.path ?? []);
  } catch (err) {
    throw new ServerError('INIT_FAILED', `Bad initial path: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const text = init.text.charCodeAt(0) === 0xfeff ? init.text.slice(1) : init.text;
  let read: Statement[];
  try {
    read = readStatements(text, { maxNodes: Number.POSITIVE_INFINITY });
  } catch (err) {
    throw new ServerError('INIT_FAILED', `Initial state: ${(err as Error).message}`, {
      cause: err,
      line: (err as { line?: number }).line,
    });
  }
  const statements =
    prefix.length === 0
      ? read
      : read.map((entry) => ({
          ...entry,
          path: [...prefix, ...entry.path],
          ref: entry.ref === undefined ? undefined : [...prefix, ...entry.ref],
        }));
  return { doc: init.doc ?? DEFAULT_DOC, statements };
}
