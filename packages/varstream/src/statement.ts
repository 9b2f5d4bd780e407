import type { Path } from './path.js';
import type { Splice } from './text/splices.js';
import type { Literal } from './value.js';

/**
 * The change kinds of VarStream. `=` sets (an empty right side deletes, or
 * empties a string), the arithmetic ones combine with the current value,
 * `&=` makes the left path refer to the value at the right path, `~=`
 * splices a string (deletes and inserts text at a position, SPEC.md 6.2).
 */
export type Operator = '=' | '+=' | '-=' | '*=' | '/=' | '%=' | '&=' | '~=';

export const OPERATORS: readonly Operator[] = ['=', '+=', '-=', '*=', '/=', '%=', '&=', '~='];

/** One parsed statement, `^` already expanded into an absolute path. */
export interface Statement {
  readonly op: Operator;
  /** Absolute path of the left side. May hold the dynamic segments APPEND, LAST, RESET. */
  readonly path: Path;
  /** Right-hand literal; `undefined` for an empty `=` (delete) and for `&=`. */
  readonly value: Literal | undefined;
  /** Right-hand path of `&=`, absolute. */
  readonly ref?: Path | undefined;
  /** The splice of `~=`: position and deleted length in UTF-16 code units, inserted text. */
  readonly splice?: Splice | undefined;
  /** 1-based line where the statement starts (0 when built in code). */
  readonly line: number;
}

/** A `#` line, yielded by a reader created with `{ comments: true }`. */
export interface Comment {
  readonly op: '#';
  /** The text after `#`, without the line break. */
  readonly text: string;
  readonly line: number;
}

export type Entry = Statement | Comment;
