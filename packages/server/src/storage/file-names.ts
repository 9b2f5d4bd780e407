import { createHash } from 'node:crypto';

const KEEP = /[a-z0-9_-]/;
const MAX_ENCODED = 150;

/**
 * The base of a document's file names, safe on any file system for any
 * document name: lower-case letters, digits, `_` and `-` kept; every other
 * character (upper case included, so that names differing only by case do
 * not collide on case-insensitive systems) written `~XX` in hex. Long names
 * are cut and suffixed with a SHA-256 of the full name. Always starts with
 * `doc-`, so never a dot file or a reserved device name.
 */
export function docFileBase(name: string): string {
  let encoded = '';
  for (const ch of name) {
    if (KEEP.test(ch)) encoded += ch;
    else {
      for (const byte of Buffer.from(ch, 'utf8')) {
        encoded += `~${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      }
    }
  }
  if (encoded.length > MAX_ENCODED) {
    const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 32);
    encoded = `${encoded.slice(0, 100)}~~${hash}`;
  }
  return `doc-${encoded}`;
}

export interface DocFiles {
  readonly snapshot: string;
  readonly journal: string;
  /** The journal that takes over during a compaction, renamed to `journal` when it ends. */
  readonly nextJournal: string;
  readonly temp: string;
}

export function docFiles(dir: string, name: string): DocFiles {
  const base = `${dir.endsWith('/') ? dir.slice(0, -1) : dir}/${docFileBase(name)}`;
  return {
    snapshot: `${base}.snapshot`,
    journal: `${base}.journal`,
    nextJournal: `${base}.journal.next`,
    temp: `${base}.snapshot.tmp`,
  };
}
