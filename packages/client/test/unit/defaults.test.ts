import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/connection/backoff.js';
import { clientDefaults } from '../../src/defaults.js';
import { browserStorage } from '../../src/storage/local-storage.js';
import { MemoryStorage } from '../../src/storage/storage.js';

const README = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');

/** The value column of the README's `clientDefaults.` table, by name. */
function documented(): Map<string, string> {
  const lines = README.split('\n');
  const start = lines.findIndex((line) => line.startsWith('| `clientDefaults.`'));
  expect(start).toBeGreaterThan(-1);
  const end = lines.findIndex((line, i) => i > start && !line.startsWith('|'));
  return new Map(
    lines.slice(start + 2, end).map((line) => {
      const [name, value] = line
        .split('|')
        .slice(1, 3)
        .map((cell) => cell.trim().replace(/`/g, ''));
      return [name!, value!.replace(/(\d) (?=\d{3})/g, '$1')];
    }),
  );
}

describe('clientDefaults', () => {
  it('every default is in the README with its value', () => {
    const table = documented();
    expect([...table.keys()].sort()).toEqual(Object.keys(clientDefaults).sort());
    for (const [name, value] of Object.entries(clientDefaults)) {
      const text =
        typeof value === 'number'
          ? String(value)
          : `{ baseMs: ${value.baseMs}, maxMs: ${value.maxMs} }`;
      expect(table.get(name), name).toBe(text);
    }
  });

  it('is frozen, and the backoff reads it', () => {
    expect(Object.isFrozen(clientDefaults)).toBe(true);
    expect(Object.isFrozen(clientDefaults.backoff)).toBe(true);
    const backoff = new Backoff({ random: () => 0.999_999 });
    expect(backoff.next()).toBe(clientDefaults.backoff.baseMs - 1);
  });

  it('the default storage is memory where there is no localStorage (Node)', () => {
    expect(browserStorage()).toBeInstanceOf(MemoryStorage);
  });
});
