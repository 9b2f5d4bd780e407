import { isDelete, type TextOp } from './text-op.js';

/** Why an operation cannot apply to a string (see `checkTextOp`). */
export interface TextOpProblem {
  readonly reason: string;
  /** The position (UTF-16 code units) concerned. */
  readonly at: number;
}

function isHigh(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLow(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** True when `at` falls between the two halves of a surrogate pair (inside one character). */
export function splitsCharacter(text: string, at: number): boolean {
  return (
    at > 0 && at < text.length && isHigh(text.charCodeAt(at - 1)) && isLow(text.charCodeAt(at))
  );
}

/**
 * Why `op` cannot apply to `text`, or undefined when it can: it must not
 * reach past the end, and every place it changes (an insert, both ends of a
 * delete) must lie between two characters, never inside a surrogate pair.
 * Cost: the number of components.
 */
export function checkTextOp(text: string, op: TextOp): TextOpProblem | undefined {
  let at = 0;
  for (const c of op) {
    if (typeof c === 'number') {
      at += c;
      if (at > text.length)
        return { reason: `Position ${at} is past the end (length ${text.length})`, at };
      continue;
    }
    if (splitsCharacter(text, at)) return { reason: `Position ${at} splits a character`, at };
    if (isDelete(c)) {
      at += c.d;
      if (at > text.length)
        return { reason: `Deleting up to ${at} goes past the end (length ${text.length})`, at };
      if (splitsCharacter(text, at)) return { reason: `Position ${at} splits a character`, at };
    }
  }
  return undefined;
}

/** Applies `op` to `text`; the caller has checked it (`checkTextOp`). */
export function applyTextOp(text: string, op: TextOp): string {
  let out = '';
  let at = 0;
  for (const c of op) {
    if (typeof c === 'number') {
      out += text.slice(at, at + c);
      at += c;
    } else if (typeof c === 'string') {
      out += c;
    } else {
      at += c.d;
    }
  }
  return out + text.slice(at);
}
