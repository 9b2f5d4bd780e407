import { describe, expect, it } from 'vitest';
import { canonicalize, formatStatement, parse, plainStatement, Tree } from '../src/index.js';
import { oracle } from './legacy.helpers.js';
import { statement } from './support/statement.js';

/** `line` applied to `{ s: previous }`: its canonical line, its line for readers without `~=`, the result. */
function lines(previous: unknown, line: string) {
  const tree = new Tree({ s: previous });
  const change = tree.apply(statement(line));
  const canonical = canonicalize(change);
  return {
    canonical: formatStatement(canonical).slice(0, -1),
    plain: formatStatement(plainStatement(canonical, change)).slice(0, -1),
    result: (tree.root as { s?: unknown }).s,
  };
}

/** What this codec and varstream 0.3.2 hold after `s=<before>` then `line`. */
function bothRead(before: string, line: string): { ours: unknown; theirs: unknown } {
  const text = `s=${before}\n${line}\n`;
  return {
    ours: (parse(text) as { s?: unknown }).s,
    theirs: (oracle.parse(text) as { s?: unknown }).s,
  };
}

describe('a string emptied by a change reads as "" in every reader', () => {
  // Regression: `form.firstname=""` (the demo's Send, or a field cleared)
  // reached varstream 0.3.2 pages as the two characters `""`.
  it('`s=""` over a string is written `s=`', () => {
    const { canonical, result } = lines('Alice', 's=""');
    expect(result).toBe('');
    expect(canonical).toBe('s=');
    expect(bothRead('Alice', canonical)).toEqual({ ours: '', theirs: '' });
  });

  it('a splice deleting the whole string reaches plain readers as `s=`', () => {
    const { canonical, plain, result } = lines('Alice', 's~=0,5,');
    expect(result).toBe('');
    expect(canonical).toBe('s~=0,5');
    expect(plain).toBe('s=');
    expect(bothRead('Alice', plain)).toEqual({ ours: '', theirs: '' });
  });

  it('over anything but a string, "" stays quoted (`s=` would delete it)', () => {
    expect(lines(5, 's=""').canonical).toBe('s=""');
    expect(lines(undefined, 's=""').canonical).toBe('s=""');
    expect(lines({ a: 1 }, 's=""').canonical).toBe('s=""');
  });

  it('any other string keeps its form', () => {
    expect(lines('Alice', 's=Bob').canonical).toBe('s=Bob');
    expect(lines('Alice', 's="12"').canonical).toBe('s="12"');
    expect(lines('Alice', 's~=5,0,!').plain).toBe('s=Alice!');
  });
});
