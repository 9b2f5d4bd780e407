import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from '../src/index.js';

/** `text` read, written and read again: both trees, shown with their holes. */
function twice(text: string, arrays?: 'index'): [string, string] {
  const first = parse(text);
  const again = parse(stringify(first, arrays === undefined ? {} : { arrays }));
  return [inspect(first, { depth: 9 }), inspect(again, { depth: 9 })];
}

describe('stringify: arrays ending with holes', () => {
  // Old: the holes at the end were not written; an array of holes inside an array was left out, moving the next elements.
  for (const text of [
    'l.0.0=1\nl.0.0=\nl.1=keep\n',
    'l.0=1\nl.1=2\nl.1=\n',
    'l.5=1\nl.5=\n',
    'o.a.0=1\no.a.0=\no.b=2\n',
    '0=1\n0=\n',
    'l.0.0.0=1\nl.0.0.0=\nl.0.1=2\nl.0.1=\nl.1=x\n',
    'r&=^0\nl.3=1\nl.3=\nm&=l\n',
  ]) {
    it(`reads back what it wrote: ${JSON.stringify(text)}`, () => {
      const [first, again] = twice(text);
      expect(again).toBe(first);
      const [, indexed] = twice(text, 'index');
      expect(indexed).toBe(first);
    });
  }
});
