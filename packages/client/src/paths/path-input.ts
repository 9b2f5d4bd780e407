import { formatPath, type Path, parsePath, type Segment } from '@varstream/varstream';
import { ClientError, toClientError } from '../errors.js';

/** A path as the API takes it: VarStream text (`'form.firstname'`, `''` for the root) or segments. */
export type PathInput = string | Path;

const cache = new Map<string, readonly Segment[]>();
const CACHE_SIZE = 512;

/** Parses a path with the codec (`''` is the root). Segment arrays are returned as they are. */
export function toPath(input: PathInput): readonly Segment[] {
  if (typeof input !== 'string') {
    if (Array.isArray(input)) return input;
    throw new ClientError(
      'BAD_PATH',
      `A path is text or an array of segments, not ${String(input)}`,
    );
  }
  if (input === '') return [];
  let path = cache.get(input);
  if (path !== undefined) return path;
  try {
    path = Object.freeze(parsePath(input));
  } catch (err) {
    const e = toClientError(err);
    throw new ClientError('BAD_PATH', `Invalid path ${JSON.stringify(input)}: ${e.message}`, {
      cause: err,
    });
  }
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(input, path);
  return path;
}

/** A path as text, `''` for the root (the codec writes the root as `^0`). */
export function pathText(path: Path): string {
  return path.length === 0 ? '' : formatPath(path);
}
