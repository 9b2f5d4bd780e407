import { OpReader } from './op-reader.js';
import { appendComponent, isDelete, type TextComponent, type TextOp, trimOp } from './text-op.js';

/**
 * The operation that does `first` then `second` (which applies to the result
 * of `first`). Linear in the number of components.
 */
export function composeTextOps(first: TextOp, second: TextOp): TextComponent[] {
  return composeInto([], first, second);
}

/** `composeTextOps` writing into `out` (empty), for callers that build in place. */
export function composeInto(out: TextComponent[], first: TextOp, second: TextOp): TextComponent[] {
  const reader = new OpReader(first);
  for (const c of second) {
    if (typeof c === 'number') {
      let n = c;
      while (n > 0) {
        const piece = reader.take(n, 'delete')!;
        appendComponent(out, piece);
        if (!isDelete(piece)) n -= typeof piece === 'number' ? piece : piece.length;
      }
    } else if (typeof c === 'string') {
      appendComponent(out, c);
    } else {
      let n = c.d;
      while (n > 0) {
        const piece = reader.take(n, 'delete')!;
        if (typeof piece === 'number') {
          appendComponent(out, { d: piece });
          n -= piece;
        } else if (typeof piece === 'string') {
          n -= piece.length; // inserted by `first`, deleted by `second`: gone
        } else {
          appendComponent(out, piece); // deleted by `first`: `second` never saw it
        }
      }
    }
  }
  for (let piece = reader.take(Number.POSITIVE_INFINITY, 'delete'); piece !== undefined; ) {
    appendComponent(out, piece);
    piece = reader.take(Number.POSITIVE_INFINITY, 'delete');
  }
  return trimOp(out);
}
