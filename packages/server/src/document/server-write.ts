import type { PathContext, Statement } from '@varstream/varstream';
import { WRITE_ALL } from '../auth/identity.js';
import { Change } from '../change/change.js';
import type { HostedDocument } from './hosted-document.js';
import type { Revision } from './revision.js';

export interface ServerWriteResult {
  readonly revision: Revision | undefined;
  /** With `atomic: false`: the statements that failed (skipped). */
  readonly errors: Error[];
}

/**
 * A server-side write (stdin, `VarStreamServer.write`, the initial state):
 * statements applied as one change without `conn` or `id`, by an author
 * that may write everywhere. Atomic: the first error refuses the change
 * (nothing applied, the `^` context as it was) and is thrown. Otherwise
 * statements that fail are skipped and returned, and the rest is committed.
 * Unsafe keys are refused here too: what the server writes, clients read.
 */
export function writeStatements(
  doc: HostedDocument,
  statements: Iterable<Statement>,
  context: PathContext,
  options: { atomic: boolean; unsafeKeys: ReadonlySet<string> },
): ServerWriteResult {
  const change = new Change(
    { doc, identity: WRITE_ALL, context, unsafeKeys: options.unsafeKeys },
    { atomic: options.atomic },
  );
  const errors: Error[] = [];
  try {
    change.start(); // a document that cannot be written throws at once
    for (const statement of statements) {
      const problem = change.add(statement);
      if (problem === undefined) continue;
      if (options.atomic) throw problem.error;
      errors.push(problem.error);
    }
    if (change.applied === 0) return { revision: undefined, errors };
    const outcome = change.end();
    if (outcome.kind === 'accepted') return { revision: outcome.revision, errors };
    if (outcome.kind !== 'rejected') return { revision: undefined, errors };
    if (options.atomic) throw outcome.problem.error;
    errors.push(outcome.problem.error);
    return { revision: undefined, errors };
  } finally {
    change.abandon(); // rolls back unless it ended
  }
}
