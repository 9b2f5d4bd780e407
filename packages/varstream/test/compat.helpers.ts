/**
 * Shared by the compat tests: the real varstream 0.3.2 as a whole (its
 * `VarStream` duplex stream included), seeded chunking, and stream helpers.
 */
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import type { Oracle } from './legacy.helpers.js';
import { seededRandom } from './support/split-plan.js';

export interface OracleVarStream extends Oracle {
  new (root: object, prop: string, options?: number): Duplex;
  (root: object, prop: string, options?: number): Duplex;
  VarStreamReader: Oracle['Reader'];
  VarStreamWriter: Oracle['Writer'];
}

/** `require('varstream')`: 0.3.2, the oracle. */
export const OracleVarStream = createRequire(import.meta.url)('varstream') as OracleVarStream;

/** `input` cut into pieces of 1 to `max` units, at seeded random places. */
export function randomChunks<T extends string | Uint8Array>(input: T, seed: number, max = 64): T[] {
  const next = seededRandom(seed);
  const out: T[] = [];
  let from = 0;
  while (from < input.length) {
    const size = 1 + Math.floor(next() * max);
    out.push(input.slice(from, from + size) as T);
    from += size;
  }
  return out;
}

/** Everything a readable stream gives, as one Buffer, once it ends (rejects on 'error'). */
export function drain(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer | string) => {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    });
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** The error thrown by `run`, or undefined; with its class name and message. */
export function thrown(run: () => unknown): { name: string; message: string } | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    const e = error as Error;
    return { name: e.name, message: e.message };
  }
}
