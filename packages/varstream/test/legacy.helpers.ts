/**
 * Shared by the legacy tests: the real varstream 0.3.2 (the oracle), the
 * reference data, and helpers to run both readers the same way.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { inspect, isDeepStrictEqual } from 'node:util';
import vm from 'node:vm';
import { VarStreamError } from '../src/errors.js';
import { LegacyReader, legacyParse } from '../src/legacy/index.js';

export interface OracleReader {
  read(chunk: string): void;
}
export interface OracleWriter {
  write(value: unknown): void;
}
export interface Oracle {
  parse(text: string): unknown;
  stringify(value: unknown): string;
  Reader: {
    new (scope: object, prop: string, options?: number): OracleReader;
    STRICT_MODE: number;
  };
  Writer: {
    new (callback: (text: string) => void, options?: number): OracleWriter;
    MORPH_CONTEXTS: number;
    MERGE_ARRAYS: number;
  };
}

export const oracle = createRequire(import.meta.url)('varstream') as Oracle;

export const SHARED = join(import.meta.dirname, 'fixtures/varstream-0.3.2');
export const FIXTURES = join(SHARED, 'fixtures');
export const COMPARE = join(SHARED, 'compare');

export function datFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.dat'))
    .sort();
}

export function bytesOf(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

export function textOf(path: string): string {
  return readFileSync(path, 'utf8');
}

/** Every input of behaviour-0.3.2.txt (`⏎` is LF, `␍` is CR; the input is before `  =>  `). */
export function behaviourInputs(): string[] {
  const lines = textOf(join(SHARED, 'behaviour-0.3.2.txt')).split('\n');
  const inputs: string[] = [];
  for (const line of lines) {
    const arrow = line.indexOf('  =>  ');
    if (arrow < 0) continue;
    inputs.push(line.slice(0, arrow).replaceAll('⏎', '\n').replaceAll('␍', '\r'));
  }
  return inputs;
}

const WORD = /[A-Za-z0-9_]+/g;
const LINE = /\r\n|\r|\n/;

/** True for a name 0.3.2 would find through a prototype of a tree node (an object or an array). */
export function isInheritedName(word: string): boolean {
  return word === '__proto__' || word in [];
}

/** Names never given to 0.3.2 in this realm: those of every object, and `length`. */
function isAlwaysRefused(word: string): boolean {
  return word === '__proto__' || word === 'length' || word in {};
}

function namesInPaths(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split(LINE)) {
    if (line.trimStart().startsWith('#')) continue;
    const eq = line.indexOf('=');
    const ref = line.indexOf('&=');
    const paths = `${eq < 0 ? line : line.slice(0, eq)} ${ref < 0 ? '' : line.slice(ref + 2)}`;
    for (const [word] of paths.matchAll(WORD)) names.push(word);
  }
  return names;
}

const require = createRequire(import.meta.url);
const readerSource = readFileSync(require.resolve('varstream/src/VarStreamReader.js'), 'utf8');

/**
 * Every object reachable from the global object of the realm it runs in
 * (built-ins, their prototypes, functions and their properties), with their
 * property names, descriptors kinds and prototypes, as text.
 */
const SNAPSHOT = `(() => {
  const ids = new Map(); const queue = [globalThis]; const out = [];
  const id = (v) => { if (!ids.has(v)) { ids.set(v, ids.size); queue.push(v); } return ids.get(v); };
  id(globalThis);
  for (let i = 0; i < queue.length; i++) {
    const o = queue[i];
    let line = i + ':' + (Object.getPrototypeOf(o) === null ? 'null' : id(Object.getPrototypeOf(o)));
    for (const k of Reflect.ownKeys(o)) {
      const d = Object.getOwnPropertyDescriptor(o, k);
      line += '|' + String(k) + ':' + Object.keys(d).join(',');
      for (const v of [d.value, d.get, d.set]) {
        if ((typeof v === 'object' && v !== null) || typeof v === 'function') line += '>' + id(v);
        else if (v !== undefined && typeof v !== 'symbol') line += '=' + String(v);
      }
    }
    out.push(line);
  }
  return out.join('\\n');
})()`;

/**
 * Runs 0.3.2's reader on `text` (tolerant, then strict) in a sandbox realm of
 * its own: true when it changed nothing reachable from that realm's global
 * object and did not crash with anything but its own Error/SyntaxError. The
 * same deterministic code is then harmless in this realm.
 */
function provedSafeInSandbox(text: string): boolean {
  const sandbox = vm.createContext({ text });
  vm.runInContext('var module = { exports: {} }; var exports = module.exports;', sandbox);
  vm.runInContext(readerSource, sandbox);
  const before = vm.runInContext(SNAPSHOT, sandbox) as string;
  const crashed = vm.runInContext(
    `(() => { for (const mode of [0, 1]) { try { new module.exports({}, 'prop', mode).read(text); }
      catch (e) { if (e.constructor !== Error && e.constructor !== SyntaxError) return true; } }
      return false; })()`,
    sandbox,
  ) as boolean;
  return !crashed && vm.runInContext(SNAPSHOT, sandbox) === before;
}

/**
 * False when `text` could make 0.3.2 reach a property through a prototype
 * (`constructor`, `__proto__`, `toString`, `length` or `push` of arrays...):
 * such inputs pollute or crash 0.3.2 and must never reach it in this realm.
 * Texts without such names in their paths pass. Names of every object
 * (`constructor`, `toString`, `__proto__`...) and `length` are always
 * refused. The others, array methods only (the reference files use `entries`
 * and `filter` as plain keys of objects), must prove harmless in a sandbox.
 */
export function isSafeForOracle(text: string): boolean {
  const names = namesInPaths(text);
  if (!names.some(isInheritedName)) return true;
  if (names.some(isAlwaysRefused)) return false;
  return provedSafeInSandbox(text);
}

export interface Outcome {
  tree: Record<string, unknown>;
  error: { message: string; code?: string; crashed?: boolean } | undefined;
}

/**
 * Where 0.3.2 crashes (a TypeError or RangeError out of its own code, in
 * both modes), the legacy reader reports one of these codes instead.
 */
export const CRASH_CODES: readonly string[] = ['TYPE_MISMATCH', 'UNSAFE_KEY'];

/** 0.3.2's `new Reader(tree, 'prop', strict).read(...)` over the chunks. */
export function oracleRead(chunks: readonly string[], strict: boolean): Outcome {
  if (!chunks.every(isSafeForOracle)) throw new Error('unsafe input for the oracle');
  const tree = {};
  const reader = new oracle.Reader(tree, 'prop', strict ? oracle.Reader.STRICT_MODE : 0);
  try {
    for (const chunk of chunks) reader.read(chunk);
    return { tree, error: undefined };
  } catch (error) {
    const e = error as Error;
    const crashed = e.constructor !== Error && e.constructor !== SyntaxError;
    return { tree, error: { message: e.message, crashed } };
  }
}

class Stop extends Error {}

/**
 * Ours, the same way; the error message is the `reason` (0.3.2's text). In
 * tolerant mode, reading stops at the first error of a CRASH_CODES code,
 * where 0.3.2 would have crashed.
 */
export function legacyRead(chunks: readonly (string | Uint8Array)[], strict: boolean): Outcome {
  const tree = {};
  let stop: VarStreamError | undefined;
  const reader = new LegacyReader(tree, 'prop', {
    strict,
    onError: (e) => {
      if (!CRASH_CODES.includes(e.code)) return;
      stop = e;
      throw new Stop();
    },
  });
  try {
    for (const chunk of chunks) reader.write(chunk);
    reader.end();
    return { tree, error: undefined };
  } catch (error) {
    const e = error instanceof Stop ? stop! : error;
    if (!(e instanceof VarStreamError)) throw e;
    return { tree, error: { message: e.reason, code: e.code } };
  }
}

/** Null when both runs agree (same tree, same error or a crash replaced by a CRASH_CODES error). */
export function disagreement(theirs: Outcome, ours: Outcome): string | null {
  const show = (outcome: Outcome): string =>
    `${inspect(outcome.tree, { depth: 8 })} ${outcome.error?.message ?? '(no error)'}`;
  const sameTree = isDeepStrictEqual(theirs.tree, ours.tree);
  const sameError = theirs.error?.crashed
    ? ours.error?.code !== undefined && CRASH_CODES.includes(ours.error.code)
    : theirs.error?.message === ours.error?.message;
  return sameTree && sameError ? null : `0.3.2: ${show(theirs)}\nours:  ${show(ours)}`;
}

/**
 * Null when 0.3.2's `VarStream.parse(text)` and `legacyParse(text)` agree:
 * same value, or 0.3.2 crashed and ours reported a CRASH_CODES error.
 */
export function parseDisagreement(text: string): string | null {
  if (!isSafeForOracle(text)) throw new Error('unsafe input for the oracle');
  const codes: string[] = [];
  const ours = legacyParse(text, { onError: (e) => codes.push(e.code) });
  let theirs: unknown;
  try {
    theirs = oracle.parse(text);
  } catch (error) {
    const crashCode = codes.some((code) => CRASH_CODES.includes(code));
    return crashCode ? null : `parse: 0.3.2 threw ${String(error)}, ours reported ${codes}`;
  }
  if (isDeepStrictEqual(theirs, ours)) return null;
  return `parse\n0.3.2: ${inspect(theirs, { depth: 8 })}\nours:  ${inspect(ours, { depth: 8 })}`;
}

/** Snapshot of the built-in prototypes, to prove nothing was polluted. */
export function builtinsSnapshot(): string {
  const describe = (target: object): string =>
    Reflect.ownKeys(target)
      .map((key) => {
        const d = Object.getOwnPropertyDescriptor(target, key)!;
        return `${String(key)}:${typeof d.value}:${String(d.get)}:${String(d.set)}:${d.value === undefined ? '' : Object.keys(d.value as object).join(',')}`;
      })
      .join('|');
  return [
    Object.prototype,
    Array.prototype,
    Function.prototype,
    Object,
    String.prototype,
    Number.prototype,
    Object.prototype.toString,
    Object.prototype.hasOwnProperty,
    Object.prototype.valueOf,
    Array.prototype.push,
  ]
    .map(describe)
    .join('\n');
}
