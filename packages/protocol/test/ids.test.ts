import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHANGE_ID_SOURCE, isChangeId, isClientId, parseChangeId } from '../src/change-id.js';
import { isEpoch } from '../src/epoch.js';
import { PLAIN_CHANGE_LINE, SEQ_CHANGE_LINE } from '../src/sections.js';
import { isWireInteger, parseWireInteger } from '../src/wire-integer.js';

const clientId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const seq = fc.integer({ min: 0, max: 999_999_999_999_999 });

describe('ids and number fields', () => {
  it('a change id is <client>:<seq> and parses back', () => {
    fc.assert(
      fc.property(clientId, seq, (client, n) => {
        const id = `${client}:${n}`;
        expect(isChangeId(id)).toBe(true);
        expect(parseChangeId(id)).toEqual({ client, seq: n });
      }),
    );
  });

  it('refuses malformed ids', () => {
    for (const bad of [
      '',
      'a',
      'a:',
      ':1',
      'a:b',
      'a b:1',
      `${'x'.repeat(65)}:1`,
      'a:1234567890123456',
      'a:1:2',
    ]) {
      expect(isChangeId(bad), bad).toBe(false);
      expect(parseChangeId(bad), bad).toBeUndefined();
    }
    expect(isClientId('k7Qx2_-')).toBe(true);
    for (const bad of ['', 'a:b', 'é', 'x'.repeat(65), 12, undefined]) {
      expect(isClientId(bad), String(bad)).toBe(false);
    }
  });

  it('number fields are 1 to 15 decimal digits, exact as numbers', () => {
    expect(parseWireInteger('0')).toBe(0);
    expect(parseWireInteger('999999999999999')).toBe(999_999_999_999_999);
    for (const bad of [undefined, '', '-1', '1.5', '1e3', ' 1', '1234567890123456', '0x10']) {
      expect(isWireInteger(bad), String(bad)).toBe(false);
      expect(parseWireInteger(bad), String(bad)).toBeUndefined();
    }
  });

  it('the fast-path change lines read what parseMeta reads, nothing more', () => {
    expect(PLAIN_CHANGE_LINE.exec('vs change id=k7:12 base=4')?.slice(1)).toEqual(['k7:12', '4']);
    expect(PLAIN_CHANGE_LINE.exec('vs change id=k7:12')?.slice(1)).toEqual(['k7:12', undefined]);
    expect(SEQ_CHANGE_LINE.exec('vs change s=12')?.slice(1)).toEqual(['12', undefined]);
    for (const other of ['vs change id=k7:12 s=1', 'vs change id=%41:1', 'vs change s=1 base=x']) {
      expect(PLAIN_CHANGE_LINE.test(other) || SEQ_CHANGE_LINE.test(other), other).toBe(false);
    }
    expect(new RegExp(`^${CHANGE_ID_SOURCE}$`).test('k7:12')).toBe(true);
  });
});

describe('epochs', () => {
  it('are written like client ids', () => {
    expect(isEpoch('Xq3_b9Zk')).toBe(true);
    for (const bad of ['', 'a:b', 'x'.repeat(65), 'é', 7, undefined]) {
      expect(isEpoch(bad), String(bad)).toBe(false);
    }
  });
});
