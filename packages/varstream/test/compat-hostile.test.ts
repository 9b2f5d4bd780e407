/**
 * Hostile input through the compat API (a 2013 server moved to it reads its
 * clients' text with it): no prototype pollution, the codec's limits, and
 * linear time where 0.3.2 is quadratic. 0.3.2 itself never runs these inputs.
 */
import { once } from 'node:events';
import { describe, expect, test } from 'vitest';
import VarStream, { type CompatError } from '../src/compat/index.js';
import { builtinsSnapshot } from './legacy.helpers.js';

const POLLUTING = [
  '__proto__.polluted=1\n',
  'a.constructor.prototype.polluted=1\n',
  'a.toString.polluted=1\n',
  'a.0=1\na.push.polluted=1\n',
  'c&=a.toString\nc.polluted=1\n',
  '__proto__&=^0\n',
].join('');

describe('hostile input through the compat API', () => {
  test('inherited names are plain keys: nothing outside the tree changes (stream, Reader, parse)', async () => {
    const before = builtinsSnapshot();
    const root: Record<string, unknown> = {};
    const stream = VarStream(root, 'tree');
    stream.end(POLLUTING);
    await once(stream, 'finish');
    VarStream.Reader({}, 'tree').read(POLLUTING);
    const parsed = VarStream.parse(POLLUTING) as Record<string, unknown>;
    expect(builtinsSnapshot()).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.hasOwn(parsed, '__proto__')).toBe(true);
    // What was read writes back out without reaching a prototype either.
    const text = (
      await new Promise<Buffer>((resolve) => {
        const chunks: Buffer[] = [];
        VarStream(root, 'tree')
          .on('data', (chunk: Buffer) => chunks.push(chunk))
          .on('end', () => resolve(Buffer.concat(chunks)));
      })
    ).toString();
    // `__proto__&=^0` made the own key `__proto__` a reference to the root.
    expect(text).toBe('__proto__&=^0\na.0=1\nc.polluted=1\n');
    expect(builtinsSnapshot()).toBe(before);
  });

  test('limits: a too deep path is an error event with its code in strict mode, skipped otherwise', async () => {
    const deep = `${Array.from({ length: 2000 }, () => 'a').join('.')}=1\nok=1\n`;
    const strict = VarStream({}, 'tree', VarStream.Reader.STRICT_MODE);
    strict.write(deep);
    const [error] = (await once(strict, 'error')) as [CompatError];
    expect(error.code).toBe('LIMIT_DEPTH');
    expect(error.message).not.toMatch(/line \d/);
    expect(error.line).toBe(1);
    const root: Record<string, unknown> = {};
    const tolerant = VarStream(root, 'tree');
    tolerant.end(deep);
    await once(tolerant, 'finish');
    expect(root).toEqual({ tree: { ok: 1 } });
  });

  test('a 200 000-character key and a 20 000-segment path read in linear time (0.3.2: quadratic)', () => {
    const key = `${'k'.repeat(200_000)}=1\n`;
    expect(Object.keys(VarStream.parse(key) as object)[0]).toHaveLength(200_000);
    const reader = VarStream.Reader({}, 'p', VarStream.Reader.STRICT_MODE);
    expect(() => reader.read(`${'a.'.repeat(20_000)}a=1\n`)).toThrow(
      expect.objectContaining({ code: 'LIMIT_DEPTH' }),
    );
  });

  test('a huge sparse array is refused by the writer (0.3.2 walks every hole)', () => {
    const sparse: unknown[] = [];
    sparse.length = 2 ** 32 - 1;
    expect(() => VarStream.stringify({ sparse })).toThrow(
      expect.objectContaining({ code: 'LIMIT_INDEX', name: 'Error' }),
    );
  });
});
