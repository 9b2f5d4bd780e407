import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The varstream 0.3.2 reference data (test/fixtures/varstream-0.3.2, vendored). */
export const SHARED_DIR = resolve(
  fileURLToPath(new URL('../', import.meta.url)),
  'fixtures/varstream-0.3.2',
);

export interface Fixture {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly text: string;
}

function load(dir: string, suffix: string): Fixture[] {
  const full = resolve(SHARED_DIR, dir);
  if (!existsSync(full)) throw new Error(`Missing reference data: ${full}`);
  return readdirSync(full)
    .filter((name) => name.endsWith(suffix))
    .sort()
    .map((name) => {
      const bytes = new Uint8Array(readFileSync(resolve(full, name)));
      return { name: `${dir}/${name}`, bytes, text: new TextDecoder().decode(bytes) };
    });
}

/** Every VarStream file of the reference data: fixtures/*.dat, compare/*.dat, websockipc-vars.dat. */
export function varstreamFixtures(): Fixture[] {
  return [...load('fixtures', '.dat'), ...load('compare', '.dat'), ...load('.', 'vars.dat')];
}

/** compare/*.json. */
export function jsonFixtures(): Fixture[] {
  return load('compare', '.json');
}

/** `input` cut at `offsets` (sorted). */
export function cut<T extends string | Uint8Array>(input: T, offsets: readonly number[]): T[] {
  const out: T[] = [];
  let from = 0;
  for (const at of offsets) {
    out.push(input.slice(from, at) as T);
    from = at;
  }
  out.push(input.slice(from) as T);
  return out;
}

/** `input` in pieces of `size` units. */
export function pieces<T extends string | Uint8Array>(input: T, size: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < input.length; i += size) out.push(input.slice(i, i + size) as T);
  return out;
}

/** A ReadableStream of the given chunks. */
export function streamOf<T>(chunks: readonly T[]): ReadableStream<T> {
  let i = 0;
  return new ReadableStream<T>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
  });
}

export async function collect<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return out;
    out.push(value);
  }
}
