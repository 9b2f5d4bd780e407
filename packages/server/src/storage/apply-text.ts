import { type Limits, PathContext, type Tree } from '@varstream/varstream';
import { StatementReader } from '../reading/statement-reader.js';

/**
 * Applies VarStream text to a tree statement by statement. Strict: the first
 * error throws, unless `onError` takes it (the statement is then skipped and
 * the rest applied). `#vs` meta lines go to `onMeta`. Used to load snapshots
 * and journal records, which the server wrote itself. Returns how many
 * statements applied, and how many of them were text splices (`~=`).
 */
export function applyText(
  tree: Tree,
  text: string,
  limits: Partial<Limits>,
  onMeta?: (text: string) => void,
  onError?: (error: unknown) => void,
): { applied: number; splices: number } {
  const context = new PathContext();
  let applied = 0;
  let splices = 0;
  const skip =
    onError === undefined
      ? undefined
      : (error: unknown) => {
          onError(error);
          return true;
        };
  const reader = new StatementReader(
    limits,
    {
      statement: (statement) => {
        try {
          tree.apply(statement, context);
          applied++;
          if (statement.op === '~=') splices++;
        } catch (err) {
          if (skip === undefined) throw err;
          skip(err);
        }
      },
      comment:
        onMeta === undefined
          ? undefined
          : (comment) => {
              if (comment.text.startsWith('vs ')) onMeta(comment.text);
            },
      error: skip,
    },
    context,
  );
  reader.end(text);
  return { applied, splices };
}
