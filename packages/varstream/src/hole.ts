/**
 * What a key deleted inside `Tree.begin()`/`commit()` with `boundedRollback`
 * holds until the commit removes it: absent to every reader of the tree
 * (`Tree.get`, the path walk, references).
 */
export const HOLE: unique symbol = Symbol('hole');
