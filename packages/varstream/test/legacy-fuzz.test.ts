/**
 * Generated inputs, read by the real varstream 0.3.2 and by the legacy
 * reader, tolerant and strict, whole and in chunks: same trees, same
 * throw/no-throw, same messages.
 */

import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { VarStreamError } from '../src/errors.js';
import { legacyParse } from '../src/legacy/index.js';
import { cleanDocument, cuts, document, mutatedDocument, splitAt } from './legacy.arbitraries.js';
import {
  disagreement,
  isSafeForOracle,
  legacyRead,
  oracleRead,
  parseDisagreement,
} from './legacy.helpers.js';

/** Inputs each property runs (x3 properties x3 modes against 0.3.2). */
const RUNS = Number(process.env.LEGACY_FUZZ_RUNS ?? 1500);

/** Asserts 0.3.2 and ours agree on `text` in every mode; returns nothing or throws. */
function agree(text: string): void {
  expect(isSafeForOracle(text)).toBe(true);
  for (const strict of [false, true]) {
    const theirs = oracleRead([text], strict);
    const ours = legacyRead([text], strict);
    const problem = disagreement(theirs, ours);
    if (problem !== null) {
      expect.fail(`${strict ? 'strict' : 'tolerant'} ${JSON.stringify(text)}\n${problem}`);
    }
  }
  const problem = parseDisagreement(text);
  if (problem !== null) expect.fail(`${JSON.stringify(text)}\n${problem}`);
}

describe('generated inputs against 0.3.2', () => {
  test(`${RUNS} grammar-generated documents`, () => {
    fc.assert(fc.property(document, agree), { numRuns: RUNS });
  });

  test(`${RUNS} mostly valid documents`, () => {
    fc.assert(fc.property(cleanDocument, agree), { numRuns: RUNS });
  });

  test(`${RUNS} mutated documents`, () => {
    fc.assert(fc.property(mutatedDocument, agree), { numRuns: RUNS });
  });

  test('tolerant mode reports through onError and never throws', () => {
    fc.assert(
      fc.property(mutatedDocument, (text) => {
        const codes: string[] = [];
        legacyParse(text, { onError: (e) => codes.push(e.code) });
        const strictError = legacyRead([text], true).error;
        // Strict mode throws exactly when tolerant mode reports something.
        expect(strictError === undefined).toBe(codes.length === 0);
      }),
      { numRuns: RUNS / 4 },
    );
  });

  test('strict errors are VarStreamErrors with a position', () => {
    fc.assert(
      fc.property(mutatedDocument, (text) => {
        try {
          legacyParse(text, { strict: true });
        } catch (error) {
          expect(error).toBeInstanceOf(VarStreamError);
          const e = error as VarStreamError;
          expect(e.line).toBeGreaterThanOrEqual(1);
          expect(e.column).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: RUNS / 4 },
    );
  });
});

describe('chunking of generated inputs', () => {
  test('string chunks at random UTF-16 offsets give the whole-text tree', () => {
    fc.assert(
      fc.property(mutatedDocument, cuts, (text, points) => {
        for (const strict of [false, true]) {
          const whole = legacyRead([text], strict);
          const split = legacyRead(splitAt(text, points), strict);
          expect(isDeepStrictEqual(split.tree, whole.tree)).toBe(true);
          expect(split.error?.message).toBe(whole.error?.message);
        }
      }),
      { numRuns: RUNS / 2 },
    );
  });

  test('byte chunks at random offsets give the tree of the well-formed text', () => {
    fc.assert(
      fc.property(mutatedDocument, cuts, (text, points) => {
        const bytes = new TextEncoder().encode(text);
        const whole = legacyRead([text.toWellFormed()], false);
        const split = legacyRead(splitAt(bytes, points), false);
        expect(isDeepStrictEqual(split.tree, whole.tree)).toBe(true);
      }),
      { numRuns: RUNS / 2 },
    );
  });
});
