import { OpReader } from './op-reader.js';
import { appendComponent, type TextComponent, type TextOp, trimOp } from './text-op.js';

/**
 * Which of two concurrent inserts at the same place goes first: `'left'`
 * puts the operation being transformed before the other one.
 *
 * The sequencer transforms a change it receives against the changes it
 * accepted meanwhile with `'left'` (the later one goes first, right after
 * the text both were typed after), and a client transforms the changes it
 * receives against its own pending ones with `'right'` (the same order,
 * seen from the other side). This keeps a person's typed run together: each
 * next character is inserted right after their previous one, before text
 * somebody else typed concurrently at the same place.
 */
export type Side = 'left' | 'right';

/**
 * `op` rewritten to apply after `other` (both applied to the same string):
 * `apply(apply(s, other), transform(op, other, side))` equals
 * `apply(apply(s, op), transform(other, op, opposite(side)))`.
 *
 * - positions shift over what `other` inserted and deleted before them;
 * - what both delete is deleted once; text `other` inserts inside a range
 *   `op` deletes survives (the delete is split around it): nothing typed is
 *   lost to a concurrent delete;
 * - inserts at the same place are ordered by `side`.
 */
export function transformTextOp(op: TextOp, other: TextOp, side: Side): TextComponent[] {
  const out: TextComponent[] = [];
  const reader = new OpReader(op);
  for (const c of other) {
    if (typeof c === 'number') {
      let n = c;
      while (n > 0) {
        const piece = reader.take(n, 'insert')!;
        appendComponent(out, piece);
        if (typeof piece !== 'string') n -= typeof piece === 'number' ? piece : piece.d;
      }
    } else if (typeof c === 'string') {
      if (side === 'left' && typeof reader.peek() === 'string') {
        appendComponent(out, reader.take(Number.POSITIVE_INFINITY, 'insert')!);
      }
      appendComponent(out, c.length);
    } else {
      let n = c.d;
      while (n > 0) {
        const piece = reader.take(n, 'insert')!;
        if (typeof piece === 'number') n -= piece;
        else if (typeof piece === 'string') appendComponent(out, piece);
        else n -= piece.d; // deleted by both
      }
    }
  }
  for (let piece = reader.take(Number.POSITIVE_INFINITY, 'insert'); piece !== undefined; ) {
    appendComponent(out, piece);
    piece = reader.take(Number.POSITIVE_INFINITY, 'insert');
  }
  return trimOp(out);
}

export function opposite(side: Side): Side {
  return side === 'left' ? 'right' : 'left';
}

/**
 * Where a position (a caret, a selection end) moves when `op` is applied.
 * An insert exactly at the position goes after it when `stick` is
 * `'before'` (the caret stays before text typed at it by somebody else),
 * before it with `'after'`. A position inside a deleted range moves to its
 * start.
 */
export function transformPosition(position: number, op: TextOp, stick: 'before' | 'after'): number {
  let at = 0; // position in the input
  let moved = position;
  for (const c of op) {
    if (at > position) break;
    if (typeof c === 'number') {
      at += c;
    } else if (typeof c === 'string') {
      if (at < position || (at === position && stick === 'after')) moved += c.length;
    } else {
      moved -= Math.min(c.d, position - at);
      at += c.d;
    }
  }
  return moved;
}

/** Both sides of a concurrent pair: `[op after other, other after op]`. */
export function transformPair(
  op: TextOp,
  other: TextOp,
  side: Side,
): [TextComponent[], TextComponent[]] {
  return [transformTextOp(op, other, side), transformTextOp(other, op, opposite(side))];
}
