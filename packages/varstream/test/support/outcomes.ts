/**
 * What reading gave, in a form tests compare: statements or a lossless
 * snapshot of the value, plus every error as `CODE@line:column`.
 */
import { expect } from 'vitest';
import { isVarStreamError, type VarStreamError } from '../../src/errors.js';
import { Reader, type ReaderOptions } from '../../src/reader.js';
import type { Entry } from '../../src/statement.js';
import { stringify } from '../../src/stringify.js';

/** An error as `CODE@line:column` (JSON errors are VarStreamErrors too); anything else is rethrown. */
export function tag(err: unknown): string {
  if (isVarStreamError(err)) return `${err.code}@${err.line}:${err.column}`;
  throw err;
}

export interface Read {
  entries: Entry[];
  errors: string[];
  thrown?: string;
}

/** The statements a `Reader` reads from the whole text at once: the reference for stream adapters. */
export function referenceEntries(text: string, options: ReaderOptions = {}): Read {
  const errors: string[] = [];
  const reader = new Reader({ ...options, onError: (e) => errors.push(tag(e)) });
  reader.end(text);
  const entries: Entry[] = [];
  try {
    for (let e = reader.read(); e !== null; e = reader.read()) entries.push(e);
  } catch (err) {
    return { entries, errors, thrown: tag(err) };
  }
  return { entries, errors };
}

/** What parsing gave: a lossless snapshot of the value (cycles included) and the errors. */
export interface Outcome {
  snapshot?: string;
  value?: unknown;
  thrown?: string;
  errors: string[];
}

export function outcome(run: (onError: (e: VarStreamError) => void) => unknown): Outcome {
  const errors: string[] = [];
  try {
    const value = run((e) => errors.push(tag(e)));
    return { snapshot: stringify(value), value, errors };
  } catch (err) {
    return { thrown: tag(err), errors };
  }
}

export async function outcomeAsync(
  run: (onError: (e: VarStreamError) => void) => unknown | Promise<unknown>,
): Promise<Outcome> {
  const errors: string[] = [];
  try {
    const value = await run((e) => errors.push(tag(e)));
    return { snapshot: stringify(value), value, errors };
  } catch (err) {
    return { thrown: tag(err), errors };
  }
}

export function expectSame(actual: Outcome, expected: Outcome, where: string): void {
  expect(actual.thrown, where).toBe(expected.thrown);
  expect(actual.errors, where).toEqual(expected.errors);
  expect(actual.snapshot, where).toBe(expected.snapshot);
  if (expected.thrown === undefined) expect(actual.value, where).toEqual(expected.value);
}
