import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PathContext, Reader, stringify, Tree, type VarStreamError } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The varstream 0.3.2 reference data, vendored with its MIT licence. */
export const SHARED = join(here, 'fixtures/varstream-0.3.2');

function filesIn(dir: string, ext: string): Array<{ name: string; bytes: Uint8Array }> {
  return readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(dir, f))) }));
}

/** Every VarStream text the tests know: the 0.3.2 fixtures, the compare sets, ours. */
export function allFixtures(): Array<{ name: string; bytes: Uint8Array }> {
  return [
    ...filesIn(join(SHARED, 'fixtures'), '.dat').map((f) => ({ ...f, name: `fixtures/${f.name}` })),
    ...filesIn(join(SHARED, 'compare'), '.dat').map((f) => ({ ...f, name: `compare/${f.name}` })),
    {
      name: 'websockipc-vars.dat',
      bytes: new Uint8Array(readFileSync(join(SHARED, 'websockipc-vars.dat'))),
    },
    ...filesIn(join(here, 'fixtures'), '.vs'),
  ];
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

export interface Outcome {
  root: unknown;
  errors: VarStreamError[];
}

/** Reads chunks with one Reader and applies them with one Tree, as `parse` does. */
export function readChunks(chunks: Iterable<string | Uint8Array>, limits = {}): Outcome {
  const errors: VarStreamError[] = [];
  const context = new PathContext();
  const reader = new Reader({ context, limits, onError: (e) => errors.push(e) });
  const tree = new Tree(undefined, { limits: reader.limits });
  const drain = () => {
    for (let e = reader.read(); e !== null; e = reader.read()) {
      if (e.op === '#') continue;
      try {
        tree.apply(e, context);
      } catch (err) {
        errors.push(err as VarStreamError);
      }
    }
  };
  for (const chunk of chunks) {
    reader.write(chunk);
    drain();
  }
  reader.end();
  drain();
  return { root: tree.root === undefined ? {} : tree.root, errors };
}

/**
 * A fingerprint of an outcome: the lossless text of the tree (so shared and
 * circular references count) and the errors with their positions.
 */
export function summary(o: Outcome): string {
  return `${stringify(o.root, { compress: false })}\n${o.errors.map((e) => `${e.code}@${e.line}:${e.column}`).join('\n')}`;
}
