import fc from 'fast-check';
import type { TextComponent, TextOp } from '../../src/index.js';

/** Characters that stress positions: ASCII, an emoji (surrogate pair), a combining mark, CJK. */
const pieces = ['a', 'b', 'c', ' ', '😀', 'e\u0301', '中', '\n'];

export const textArb = fc
  .array(fc.constantFrom(...pieces), { maxLength: 12 })
  .map((parts) => parts.join(''));

/** Character boundaries of `text` (never inside a surrogate pair). */
export function boundaries(text: string): number[] {
  const out = [0];
  let at = 0;
  for (const ch of text) {
    at += ch.length;
    out.push(at);
  }
  return out;
}

/** A random normalized-or-not operation valid on `text`, built from random steps. */
export function opArb(text: string): fc.Arbitrary<TextOp> {
  const chars = [...text];
  return fc
    .array(
      fc.record({
        kind: fc.constantFrom('keep', 'insert', 'delete'),
        count: fc.integer({ min: 1, max: 3 }),
        text: textArb.filter((t) => t.length > 0),
      }),
      { maxLength: 8 },
    )
    .map((steps) => {
      const op: TextComponent[] = [];
      let i = 0;
      for (const step of steps) {
        if (step.kind === 'insert') {
          op.push(step.text);
          continue;
        }
        const take = chars.slice(i, i + step.count);
        if (take.length === 0) continue;
        i += take.length;
        const units = take.join('').length;
        op.push(step.kind === 'keep' ? units : { d: units });
      }
      return op;
    });
}

export const textAndOpsArb = textArb.chain((text) =>
  fc.tuple(fc.constant(text), opArb(text), opArb(text), opArb(text)),
);
