import { type Limits, PathContext, Reader, type Tree } from '@varstream/varstream';

/**
 * Applies VarStream text to a tree statement by statement. Strict: the first
 * error throws, unless `onError` takes it (the statement is then skipped and
 * the rest applied). `#vs` meta lines go to `onMeta`. Used to load snapshots
 * and journal records, which the server wrote itself.
 */
export function applyText(
  tree: Tree,
  text: string,
  limits: Partial<Limits>,
  onMeta?: (text: string) => void,
  onError?: (error: unknown) => void,
): number {
  const context = new PathContext();
  const reader = new Reader({ strict: true, comments: true, context, limits });
  reader.end(text);
  let applied = 0;
  for (;;) {
    try {
      const entry = reader.read();
      if (entry === null) break;
      if (entry.op === '#') {
        if (onMeta !== undefined && entry.text.startsWith('vs ')) onMeta(entry.text);
        continue;
      }
      tree.apply(entry, context);
      applied++;
    } catch (err) {
      // A strict reader throws once the bad statement is consumed, then goes on.
      if (onError === undefined) throw err;
      onError(err);
    }
  }
  return applied;
}
