import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatString, isBareKey, isBareString, parse, typeBareValue } from '../src/index.js';

/** The definitions the fast predicates must agree with. */
const reference = {
  isBareKey: (key: string) => /^[A-Za-z0-9_]+$/.test(key) && !/^[0-9]+$/.test(key),
  isBareString(text: string): boolean {
    if (text.length === 0) return false;
    const c = text.charCodeAt(0);
    if (c === 34 || c === 10) return false;
    if (typeBareValue(text) !== text) return false;
    if (/[\u0000-\u0008\u000b-\u001f]/.test(text)) return false;
    // No continuation line may start like a comment (a `#vs` meta line).
    if (text.split('\n').some((line, i) => i > 0 && /^[ \t]*#/.test(line))) return false;
    return text.isWellFormed();
  },
  formatString(text: string): string {
    if (!reference.isBareString(text)) return JSON.stringify(text);
    return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\\n');
  },
};

// Short and long (over 64 characters) strings of the characters that matter.
const unit = fc.constantFrom(
  'a',
  'Z',
  '0',
  '9',
  '_',
  ' ',
  '"',
  '\\',
  '\n',
  '\r',
  '\t',
  '\u0001',
  '\ud800',
  '\udc00',
  'é',
  '-',
  '.',
  'e',
  '{',
  '}',
  '#',
  '#vs change rev=9',
);
const text = fc.oneof(
  fc.string({ unit, maxLength: 12 }),
  fc.string({ unit, minLength: 60, maxLength: 90 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.constantFrom('null', 'true', 'NaN', '-Infinity', '12', '-0.5', '{}', '[]', '007', '1e5'),
);

describe('values whose continuation line would look like a comment', () => {
  it('are written quoted, on one line, and read back unchanged', () => {
    for (const value of ['x\n#vs change rev=99 conn=evil', 'a\n  #comment', '\n\t#vs ping t=1']) {
      const line = `a=${formatString(value)}`;
      expect(line.split('\n')).toHaveLength(1);
      expect(line.startsWith('a="')).toBe(true);
      expect(parse(`${line}\n`)).toEqual({ a: value });
    }
    expect(formatString('a\nb # not at the start')).toBe('a\\\nb # not at the start');
  });
});

describe('writer predicates agree with their definitions', () => {
  it('isBareKey', () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(isBareKey(t)).toBe(reference.isBareKey(t));
      }),
      { numRuns: 5000 },
    );
  });

  it('isBareString and formatString', () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(isBareString(t)).toBe(reference.isBareString(t));
        expect(formatString(t)).toBe(reference.formatString(t));
      }),
      { numRuns: 5000 },
    );
  });
});
