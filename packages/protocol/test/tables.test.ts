import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CloseCode, closeCodeName, isFatalClose } from '../src/close-codes.js';
import { isRejectCode, RejectCodes } from '../src/reject-codes.js';
import { Verb } from '../src/verbs.js';

// PROTOCOL.md documents every table entry: a code added here and not there
// (or there and not here) fails.
const PROTOCOL = readFileSync(resolve(import.meta.dirname, '../../../PROTOCOL.md'), 'utf8');

/** The rows of the markdown table under `heading`: their first cells, backticks removed. */
function tableRows(heading: string): string[][] {
  const start = PROTOCOL.indexOf(heading);
  expect(start, heading).toBeGreaterThan(-1);
  const next = PROTOCOL.indexOf('\n### ', start + heading.length);
  const nextTop = PROTOCOL.indexOf('\n## ', start + heading.length);
  const end = Math.min(...[next, nextTop, PROTOCOL.length].filter((i) => i > -1));
  return PROTOCOL.slice(start, end)
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim().replace(/`/g, '')),
    );
}

describe('the tables and PROTOCOL.md', () => {
  it('every close code is in section 4 with its name, and nothing else is', () => {
    const rows = tableRows('## 4. Close codes').filter((row) => /^\d+$/.test(row[0]!));
    const documented = new Map(rows.map((row) => [Number(row[0]), row[1]]));
    for (const [name, code] of Object.entries(CloseCode)) {
      expect(documented.get(code), `${code} ${name}`).toBe(name);
    }
    // 1006 is never sent: ws reports it for a cut connection.
    const known = new Set<number>([...Object.values(CloseCode), 1006]);
    for (const code of documented.keys()) expect(known.has(code), String(code)).toBe(true);
  });

  it('every reject code is in section 3.3, and every code there is in the table', () => {
    const rows = tableRows('### 3.3').filter((row) => /^[A-Z_]+$/.test(row[0]!));
    const documented = new Set(rows.map((row) => row[0]!));
    for (const code of Object.keys(RejectCodes)) expect(documented.has(code), code).toBe(true);
    for (const code of documented) expect(isRejectCode(code), code).toBe(true);
  });

  it('names close codes, and says which ones end reconnecting', () => {
    expect(closeCodeName(4401)).toBe('UNAUTHORIZED');
    expect(closeCodeName(4000)).toBe('CLIENT_RESTART');
    expect(closeCodeName(4999)).toBeUndefined();
    expect(isFatalClose(CloseCode.UNAUTHORIZED)).toBe(true);
    expect(isFatalClose(CloseCode.GOING_AWAY)).toBe(false);
    expect(isFatalClose(CloseCode.CLIENT_RESTART)).toBe(false);
  });

  it('isRejectCode knows the table and nothing inherited', () => {
    expect(isRejectCode('FORBIDDEN')).toBe(true);
    for (const other of ['toString', '__proto__', 'BAD_SEGMENT', 7, undefined]) {
      expect(isRejectCode(other), String(other)).toBe(false);
    }
  });

  it('every verb is a word parseMeta accepts, and each is documented as #vs <verb>', () => {
    for (const verb of Object.values(Verb)) {
      expect(verb).toMatch(/^[a-z][a-z0-9_-]*$/);
      expect(PROTOCOL, verb).toContain(`#vs ${verb}`);
    }
  });
});
