import type { PathContext, Statement } from '@varstream/varstream';
import { ServerError } from '../errors.js';
import { findUnsafeKey } from '../limits/unsafe-keys.js';
import type { Document } from './document.js';
import type { Revision } from './revision.js';

export interface ServerWriteResult {
  readonly revision: Revision | undefined;
  /** With `atomic: false`: the statements that failed (skipped). */
  readonly errors: Error[];
}

/**
 * A server-side write (stdin, `VarStreamServer.write`, the initial state):
 * statements applied as one revision, without `conn` or `id`. Atomic: the
 * first error rolls everything back and is thrown. Otherwise statements that
 * fail are skipped and returned, and the rest is committed. Unsafe keys are
 * refused here too: what the server writes, clients read.
 */
export function writeStatements(
  doc: Document,
  statements: Iterable<Statement>,
  context: PathContext,
  options: { atomic: boolean; unsafeKeys: ReadonlySet<string> },
): ServerWriteResult {
  const tx = doc.begin(context);
  const errors: Error[] = [];
  const saved = context.previous.slice();
  const failed = (error: Error) => {
    if (!options.atomic) {
      errors.push(error);
      return;
    }
    doc.rollback(tx);
    context.previous = saved;
    throw error;
  };
  for (const statement of statements) {
    const unsafe =
      findUnsafeKey(statement.path, options.unsafeKeys) ??
      (statement.ref === undefined ? undefined : findUnsafeKey(statement.ref, options.unsafeKeys));
    if (unsafe !== undefined) {
      failed(
        new ServerError('UNSAFE_KEY', `The key "${unsafe}" is not allowed`, {
          line: statement.line,
        }),
      );
      continue;
    }
    try {
      tx.apply(statement);
    } catch (err) {
      failed(err as Error);
    }
  }
  if (tx.count === 0) {
    doc.rollback(tx);
    return { revision: undefined, errors };
  }
  try {
    return { revision: doc.commit(tx, undefined, undefined), errors };
  } catch (err) {
    context.previous = saved;
    if (options.atomic) throw err;
    errors.push(err as Error);
    return { revision: undefined, errors };
  }
}
