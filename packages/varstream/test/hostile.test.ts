import { describe, expect, it } from 'vitest';
import { parse, Reader, stringify, type VarStreamError } from '../src/index.js';

// Inputs that made varstream 0.3.2 quadratic or hang. These tests check the
// results; the benchmark (pnpm bench) reports the times.

function countErrors(text: string): number {
  let n = 0;
  parse(text, { onError: () => n++ });
  return n;
}

describe('hostile inputs stay linear and bounded', () => {
  it('writes 160 000 objects (0.3.2: 4.8 s)', () => {
    const value = { items: Array.from({ length: 160_000 }, (_, i) => ({ i })) };
    const text = stringify(value);
    expect(text.split('\n').length).toBe(160_001);
    expect(parse(text)).toEqual(value);
  });

  it('a line of 100 000 backslashes, and 50 000 continued lines', () => {
    expect(parse(`a=${'\\\\'.repeat(50_000)}\n`)).toEqual({ a: '\\'.repeat(50_000) });
    const value = parse(`a=${'x\\\n'.repeat(50_000)}end\n`) as { a: string };
    expect(value.a.length).toBe(50_000 * 2 + 3);
  });

  it('100 000 bad lines are each reported once, and good lines survive', () => {
    const text = `${'a..b=1\n^x=1\n"open\n'.repeat(33_334)}ok=1\n`;
    expect(countErrors(text)).toBe(100_002);
    expect(parse(text, { tolerant: true })).toEqual({ ok: 1 });
  });

  it('an unterminated quote before 100 000 lines is a bare value, the lines after it read', () => {
    const text = `a="never closed\n${'k=v\n'.repeat(100_000)}`;
    expect(parse(text, { strict: true })).toEqual({ a: '"never closed', k: 'v' });
  });

  it('a flood of CR-only line ends', () => {
    expect(Object.keys(parse('x=1\r'.repeat(100_000)) as object)).toEqual(['x']);
  });

  it('a huge statement fed in small chunks is skipped in constant memory', () => {
    const errors: VarStreamError[] = [];
    const reader = new Reader({
      limits: { maxStatementLength: 10_000 },
      onError: (e) => errors.push(e),
    });
    reader.write('a="');
    const chunk = 'y'.repeat(4096);
    for (let i = 0; i < 2_000; i++) {
      reader.write(chunk);
      reader.readAll();
    }
    reader.end('"\nb=1\n');
    expect(reader.readAll().map((e) => (e.op === '#' ? '#' : e.path.join('.')))).toEqual(['b']);
    expect(errors.map((e) => e.code)).toEqual(['LIMIT_STATEMENT']);
  });

  it('array index and gap limits refuse sparse-array bombs', () => {
    const errors: string[] = [];
    const root = parse('a.99999999=1\nb.+=1\nb.5000000=1\n', {
      onError: (e) => errors.push(e.code),
    });
    expect(errors).toEqual(['LIMIT_INDEX', 'LIMIT_GAP']);
    expect(root).toEqual({ b: [1] });
  });
});
