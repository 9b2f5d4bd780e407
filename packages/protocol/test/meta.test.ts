import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMeta, isMetaComment, parseMeta } from '../src/meta.js';
import { Verb } from '../src/verbs.js';

const verbs = Object.values(Verb);
const key = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
const fields = fc.dictionary(key, fc.string({ unit: 'binary', maxLength: 40 }), { maxKeys: 6 });

describe('meta lines', () => {
  it('round trip: parseMeta(formatMeta(verb, fields)) gives them back, any text in values', () => {
    fc.assert(
      fc.property(fc.constantFrom(...verbs), fields, (verb, values) => {
        const line = formatMeta(verb, values);
        expect(line).not.toMatch(/[\n\r]/);
        const meta = parseMeta(`${line}\n`);
        expect(meta?.verb).toBe(verb);
        expect({ ...meta?.fields }).toEqual(values);
      }),
    );
  });

  it('leaves out undefined fields and writes numbers and booleans as text', () => {
    expect(formatMeta(Verb.ACK, { id: 'a:1', rev: 3, empty: undefined, duplicate: true })).toBe(
      '#vs ack id=a:1 rev=3 duplicate=true',
    );
  });

  it('percent-encodes what would break a line or a field, in UTF-8', () => {
    expect(formatMeta(Verb.ERROR, { message: 'a b=c\né%' })).toBe(
      '#vs error message=a%20b%3Dc%0A%C3%A9%25',
    );
  });

  it('refuses keys it could not read back', () => {
    expect(() => formatMeta(Verb.HELLO, { Client: 'x' })).toThrow(TypeError);
    expect(() => formatMeta(Verb.HELLO, { 'a b': 'x' })).toThrow(TypeError);
  });

  it('reads lines with or without the #, with CRLF; undefined for anything malformed', () => {
    expect(parseMeta('vs pong t=1')).toEqual({ verb: 'pong', fields: { t: '1' } });
    expect(parseMeta('#vs pong t=1\r\n')?.fields.t).toBe('1');
    expect(parseMeta('#vs  pong   t=1 ')?.fields.t).toBe('1');
    for (const bad of ['#v pong', '#vs', '#vs Pong', '#vs pong t', '#vs pong =1', '#vs pong T=1']) {
      expect(parseMeta(bad), bad).toBeUndefined();
    }
    expect(parseMeta('#vs error message=%E0%A4')).toBeUndefined();
  });

  it('knows a meta comment from any other comment', () => {
    expect(isMetaComment('vs change s=1')).toBe(true);
    expect(isMetaComment(' a comment')).toBe(false);
    expect(isMetaComment('vsx')).toBe(false);
  });

  it('fields hold no inherited keys (a hostile __proto__ field is plain data)', () => {
    const meta = parseMeta('#vs hello __proto__=x');
    expect(meta).toBeUndefined();
    const ok = parseMeta('#vs hello constructor=x');
    expect(Object.getPrototypeOf(ok?.fields)).toBeNull();
    expect(ok?.fields.constructor).toBe('x');
  });
});

describe('regressions', () => {
  // Found by the round trip: each half of a surrogate pair was encoded on its
  // own (as U+FFFD), so a presence name or message with an emoji came back as two U+FFFD.
  it('a value with characters outside the BMP round-trips (emoji in a presence name)', () => {
    const line = formatMeta(Verb.PRESENCE, { name: 'Ada 😀', x: '𐀀' });
    expect(line).toBe('#vs presence name=Ada%20%F0%9F%98%80 x=%F0%90%80%80');
    expect(parseMeta(line)?.fields).toEqual({ name: 'Ada 😀', x: '𐀀' });
  });
});
