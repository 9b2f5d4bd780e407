/**
 * The error texts of varstream 0.3.2, word for word (typos included), so that
 * `err.reason` of a legacy error starts with the message 0.3.2 would throw.
 */

export const MSG_EMPTY_LVAL = 'Found an empty leftValue.';
export const MSG_EMPTY_RVAL = 'Found an empty rightValue.';
/** Two spaces before "a": 0.3.2 concatenates 'parsing ' and ' a leftValue.'. */
export const MSG_NEWLINE_IN_LVAL = 'Unexpected new line found while parsing  a leftValue.';
export const MSG_NOTHING_TO_ESCAPE = 'Found an escape char but there was nothing to escape.';
export const MSG_BAD_BACKREF = 'Malformed backward reference.';
export const MSG_BACKREF_RANGE =
  'Backward reference index is greater than the previous node max index.';
export const MSG_NOT_AN_OBJECT = 'The stringified object must be an instance of Object.';
export const MSG_ROOT_NOT_CONTAINER = 'The root scope must be an Object or an Array.';
/** `new VarStream(root, ...)` and `new Reader(root, ...)` without an object. */
export const MSG_NO_ROOT_OBJECT = 'No root object provided.';
/** `new VarStream(root, prop)` without a non-empty string `prop`. */
export const MSG_NO_ROOT_PROPERTY = 'No root property name given.';

export function msgEmptyNode(path: string): string {
  return `The leftValue can't have empty nodes (${path}).`;
}

export function msgIllegalNode(node: string): string {
  return `Illegal chars found in a the node "${node}".`;
}

export function msgBadOperator(operator: string, found: string): string {
  return `Unexpected char after the "${operator}" operator. Expected "=" found "${found}".`;
}

export function msgNoLfAfterCr(found: string): string {
  return `Assuming a LF after an escaped CR, ${found} found instead.`;
}
