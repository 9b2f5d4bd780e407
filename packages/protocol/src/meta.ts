/**
 * Meta lines: protocol metadata in VarStream comments, `#vs <verb> k=v ...`.
 * See PROTOCOL.md section 3.
 */
import type { Verb } from './verbs.js';

export const META_PREFIX = '#vs ';
export type MetaFields = Record<string, string>;

export interface Meta {
  /** The verb as read: one of `Verb` for lines of this protocol, any other word from a newer peer. */
  verb: string;
  fields: MetaFields;
}

const KEY = /^[a-z][a-z0-9_]*$/;
const VERB = /^[a-z][a-z0-9_-]*$/;
// Bytes kept as they are in values; everything else is %XX of its UTF-8 bytes,
// one whole code point at a time (the `u` flag: a character outside the BMP is
// one match, not two halves of a surrogate pair).
const UNSAFE = /[^A-Za-z0-9\-_.~:,/@+*!^"]/gu;

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
  verb: Verb,
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
