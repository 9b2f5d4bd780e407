/**
 * Meta lines: protocol metadata in VarStream comments, `#vs <verb> k=v ...`.
 * See PROTOCOL.md section 3.
 */

export const META_PREFIX = '#vs ';
/** The protocol version this module speaks (see PROTOCOL.md 2.2). */
export const PROTOCOL_VERSION = 2;
/** Every version a server of this module accepts in a hello: 1 (full section heads) and 2 (compact). */
export const PROTOCOL_VERSIONS: readonly number[] = [1, 2];

/**
 * The text-splice extension (PROTOCOL.md 3.6): a client lists it in its
 * hello (`ext=splice`) to send and receive `~=` statements; the welcome says
 * `ext=splice` when the server speaks it.
 */
export const EXT_SPLICE = 'splice';

/** The rejection code of a splice based on a revision older than the server's text history: send it again. */
export const SPLICE_STALE = 'SPLICE_STALE';

export type MetaFields = Record<string, string>;

export interface Meta {
  verb: string;
  fields: MetaFields;
}

const KEY = /^[a-z][a-z0-9_]*$/;
const VERB = /^[a-z][a-z0-9_-]*$/;
// Bytes kept as they are in values; everything else is %XX.
const UNSAFE = /[^A-Za-z0-9\-_.~:,/@+*!^"]/g;

function encodeValue(value: string): string {
  if (!UNSAFE.test(value)) return value;
  UNSAFE.lastIndex = 0;
  return value.replace(UNSAFE, (ch) => {
    let out = '';
    for (const byte of new TextEncoder().encode(ch))
      out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    return out;
  });
}

/** Writes a meta line, without its line break. Fields with undefined values are left out. */
export function formatMeta(
  verb: string,
  fields: Record<string, string | number | boolean | undefined> = {},
): string {
  if (!VERB.test(verb)) throw new TypeError(`Invalid meta verb: ${verb}`);
  let line = `${META_PREFIX}${verb}`;
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (value === undefined) continue;
    if (!KEY.test(key)) throw new TypeError(`Invalid meta key: ${key}`);
    line += ` ${key}=${encodeValue(String(value))}`;
  }
  return line;
}

/** True when a comment text (after `#`) is a meta line. */
export function isMetaComment(commentText: string): boolean {
  return commentText.startsWith('vs ');
}

/**
 * Parses a meta line, with or without the leading `#` and line break.
 * Returns undefined when the line is not a well-formed meta line.
 */
export function parseMeta(line: string): Meta | undefined {
  let text = line;
  if (text.endsWith('\n')) text = text.slice(0, text.endsWith('\r\n') ? -2 : -1);
  if (text.startsWith('#')) text = text.slice(1);
  if (!text.startsWith('vs ')) return undefined;
  const parts = text
    .slice(3)
    .split(' ')
    .filter((part) => part.length > 0);
  const verb = parts.shift();
  if (verb === undefined || !VERB.test(verb)) return undefined;
  const fields: MetaFields = Object.create(null) as MetaFields;
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    const key = part.slice(0, eq);
    if (!KEY.test(key)) return undefined;
    try {
      fields[key] = decodeURIComponent(part.slice(eq + 1));
    } catch {
      return undefined;
    }
  }
  return { verb, fields };
}
