import { type Limits, PathContext, Reader, type Tree } from '@varstream/varstream';

/**
 * Applies VarStream text to a tree statement by statement (strict: the first
 * error throws). `#vs` meta lines go to `onMeta`. Used to load snapshots and
 * journal records, which the server wrote itself.
 */
export function applyText(
  tree: Tree,
  text: string,
  limits: Partial<Limits>,
  onMeta?: (text: string) => void,
): number {
  const context = new PathContext();
  const reader = new Reader({ strict: true, comments: true, context, limits });
  reader.end(text);
  let applied = 0;
  for (let entry = reader.read(); entry !== null; entry = reader.read()) {
    if (entry.op === '#') {
      if (onMeta !== undefined && entry.text.startsWith('vs ')) onMeta(entry.text);
      continue;
    }
    tree.apply(entry, context);
    applied++;
  }
  return applied;
}
