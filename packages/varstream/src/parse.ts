import type { Limits } from './defaults.js';
import type { VarStreamError } from './errors.js';
import { legacyParse } from './legacy/index.js';
import { PathContext } from './path-context.js';
import { Reader } from './reader.js';
import { Tree } from './tree.js';

export interface ParseOptions {
  /** Throw the first error (syntax, semantics or limit) instead of skipping the statement. */
  strict?: boolean;
  /** Read exactly as varstream 0.3.2 does (see docs/LEGACY.md). */
  legacy?: boolean;
  /** Overrides of `defaults`. */
  limits?: Partial<Limits>;
  /** Tolerant mode: receives every error; the statement it concerns is skipped. */
  onError?: (error: VarStreamError) => void;
}

/**
 * Parses VarStream text into a value, like `JSON.parse`. An empty text gives
 * `{}`. Tolerant by default: a bad statement is skipped and reported to
 * `onError`; with `strict: true` the first error is thrown.
 */
export function parse(text: string, options: ParseOptions = {}): unknown {
  if (options.legacy === true) return legacyParse(text, options);
  const strict = options.strict === true;
  const onError = options.onError;
  const context = new PathContext();
  const reader = new Reader({
    strict,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
    ...(onError === undefined ? {} : { onError }),
    context,
  });
  const tree = new Tree(undefined, { limits: reader.limits });
  reader.end(text);
  for (let entry = reader.read(); entry !== null; entry = reader.read()) {
    if (entry.op === '#') continue;
    try {
      tree.applyQuiet(entry, context);
    } catch (err) {
      if (strict || onError === undefined) {
        if (strict) throw err;
        continue;
      }
      onError(err as VarStreamError);
    }
  }
  return tree.root === undefined ? {} : tree.root;
}
