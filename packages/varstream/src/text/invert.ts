import { appendComponent, type TextComponent, type TextOp, trimOp } from './text-op.js';

/**
 * The operation that undoes `op` on the string it produced from `text`:
 * its inserts deleted, its deletes inserted back (read from `text`).
 */
export function invertTextOp(op: TextOp, text: string): TextComponent[] {
  const out: TextComponent[] = [];
  let at = 0;
  for (const c of op) {
    if (typeof c === 'number') {
      appendComponent(out, c);
      at += c;
    } else if (typeof c === 'string') {
      appendComponent(out, { d: c.length });
    } else {
      appendComponent(out, text.slice(at, at + c.d));
      at += c.d;
    }
  }
  return trimOp(out);
}
