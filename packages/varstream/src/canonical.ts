import { isContainer } from './container.js';
import type { Path } from './path.js';
import type { WritableStatement } from './statement-writer.js';
import type { Change } from './tree.js';
import { EMPTY_OBJECT, isBareString, isNumberText, type Literal } from './value.js';

/**
 * Strings up to this length are rewritten whole (`s=<result>`) when an
 * append to them cannot be written so that varstream 0.3.2 computes the same
 * result; longer ones are written as the append, quoted (see `canonicalize`).
 */
export const REWRITE_MAX_LENGTH = 4_096;

/**
 * The canonical form of an applied change, for logs and broadcasts: the
 * concrete path (`+`/`*` resolved, `!` kept), and the operator kept when
 * every reader, varstream 0.3.2 included, computes the same result from the
 * same previous value; otherwise the result is written with `=`. A `~=`
 * splice is kept (0.3.2 cannot read it: `plainStatement` gives its `=`
 * form). Replaying
 * canonical statements in order on the same tree gives the same tree.
 *
 * An append to a string stays an append, so that its canonical form is as
 * long as the change and not as the string (`s+="1"` on a 7 MB string is not
 * written as 7 MB): the operand written bare when 0.3.2 reads it as the same
 * text (`"1"` as `1`), an empty operand as `s&=s` (changes nothing in every
 * reader), and an operand 0.3.2 cannot read (quotes, control characters)
 * quoted once the string is longer than `REWRITE_MAX_LENGTH`.
 */
export function canonicalize(change: Change): WritableStatement {
  const { op, path, value } = change;
  if (op === '=') return assignment(path, value, change.previous);
  if (op === '&=') {
    // Its target went with the array `canonicalReset` writes first: a copy of a scalar is written as the value.
    if (refersIntoReplaced(change) && !isContainer(change.result)) {
      return assignment(path, change.result as Literal, change.previous);
    }
    return { op, path, value: undefined, ref: change.ref };
  }
  if (op === '~=') return { op, path, value: undefined, splice: change.splice };
  const previous = change.previous;
  const sameIn032 =
    (typeof previous === 'number' || typeof previous === 'string') &&
    (typeof value === 'number' ||
      typeof value === 'boolean' ||
      (typeof value === 'string' && isBareString(value)));
  if (sameIn032) return { op, path, value };
  if (op === '+=' && typeof previous === 'string' && typeof value === 'string') {
    if (value.length === 0) return { op: '&=', path, value: undefined, ref: path };
    if (isNumberText(value) && String(Number(value)) === value) {
      // 0.3.2 reads `1` as a number and appends its text: the same string.
      return { op, path, value: Number(value) };
    }
    if (previous.length > REWRITE_MAX_LENGTH) return { op, path, value };
  }
  return assignment(path, change.result as Literal, previous);
}

/**
 * `path=value` over `previous`, written so that every reader gets `value`:
 * the empty string over a string is `path=` (SPEC 5.3: both this codec and
 * varstream 0.3.2 turn it into `""`), because 0.3.2 reads `path=""` as two
 * quote characters (a field cleared by a protocol client would show `""` on
 * a 0.3.2 page).
 */
function assignment(path: Path, value: Literal | undefined, previous: unknown): WritableStatement {
  if (value === '' && typeof previous === 'string') return { op: '=', path, value: undefined };
  return { op: '=', path, value };
}

/**
 * What a reader needs before `canonicalize(change)` to build the same tree,
 * or undefined: when the change replaced an array with an object (a key
 * addressed on it: `list.z=2` while `list` is an array), varstream 0.3.2
 * would keep the array and hang a property on it, so the replacement is
 * written out first as `list={}` (0.3.2 reads it as the string `{}`, which
 * the canonical statement then replaces with an object; this codec reads an
 * empty object). Every writer of canonical lines writes it before the
 * canonical statement.
 */
export function canonicalReset(change: Change): WritableStatement | undefined {
  const path = change.arrayReplaced;
  if (path === undefined) return undefined;
  return { op: '=', path, value: EMPTY_OBJECT };
}

/**
 * What a reader that does not know `~=` (varstream 0.3.2, a client that did
 * not announce the extension) needs instead of a canonical statement: a
 * splice becomes the resulting string written with `=`; anything else is
 * returned as it is.
 */
export function plainStatement(statement: WritableStatement, change: Change): WritableStatement {
  if (statement.op !== '~=') return statement;
  if (change.op === '+=') return canonicalize(change); // an append written as a splice (`spliceStatement`)
  return assignment(statement.path, change.result as string, change.previous);
}

/**
 * True for a `&=` whose target lies inside the array the same statement
 * replaced with an object (`list.k&=list.0` while `list` is an array): the
 * target was resolved before the walk replaced its array, but a reader that
 * first applies `canonicalReset` (`list={}`) finds nothing there. A scalar
 * is then written as its value (`canonicalize`); a container cannot be
 * written as a reference at all (the writer must refuse the statement).
 */
export function refersIntoReplaced(change: Change): boolean {
  const replaced = change.arrayReplaced;
  const ref = change.ref;
  if (change.op !== '&=' || replaced === undefined || ref === undefined) return false;
  if (ref.length <= replaced.length) return false;
  for (let i = 0; i < replaced.length; i++) if (ref[i] !== replaced[i]) return false;
  return true;
}

/**
 * The statement for readers that know `~=` (the splice extension), given
 * `canonical = canonicalize(change)`: an append to a string that
 * `canonicalize` writes as the resulting value (`t="abc\n"`, for 0.3.2) or
 * as `t&=t` (an empty operand) is written as the insert at the string's end
 * that it is (`t~=3,0,"\n"`). A splice reader takes `=` and `&=` for a
 * replacement, which voids its pending splices on the string, where the
 * server transforms them past the append (PROTOCOL.md 3.6): what it typed
 * was lost. Anything else is `canonical`. `plainStatement` gives the
 * canonical form back.
 */
export function spliceStatement(change: Change, canonical: WritableStatement): WritableStatement {
  const previous = change.previous;
  if (change.op !== '+=' || canonical.op === '+=' || typeof previous !== 'string') {
    return canonical;
  }
  if (typeof change.result !== 'string') return canonical;
  // The operand's text, as `textEffect` takes it (the result may be a long rope).
  const text = String(change.value);
  return {
    op: '~=',
    path: change.path,
    value: undefined,
    splice: { at: previous.length, del: 0, text },
  };
}
