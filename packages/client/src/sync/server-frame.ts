import {
  isMetaComment,
  type MetaFields,
  parseMeta,
  parseWireInteger,
  Verb,
} from '@varstream/protocol';
import { PathContext, readText, type Statement, type VarStreamError } from '@varstream/varstream';

/** One thing a server frame says: a meta line, with the statements under it for sections. */
export interface ServerMessage {
  /** The meta verb (`welcome`, `snapshot`, `change`, `ack`, `reject`, ...), or `plain` for statements outside any section. */
  readonly verb: string;
  readonly fields: MetaFields;
  /** Statements under a `snapshot` or `change` line (and `plain`). */
  readonly statements: Statement[];
}

export interface ParsedFrame {
  readonly messages: ServerMessage[];
  /** Syntax errors: the frame cannot be trusted. */
  readonly errors: VarStreamError[];
}

/**
 * Reads a server frame with the codec: `readText(text, { comments: true, context })`,
 * `#vs` lines through `parseMeta`, statements grouped under the section they follow.
 */
export function parseServerFrame(text: string): ParsedFrame {
  const errors: VarStreamError[] = [];
  const context = new PathContext();
  const messages: ServerMessage[] = [];
  let current: ServerMessage | undefined;
  for (const entry of readText(text, { comments: true, context, onError: (e) => errors.push(e) })) {
    if (entry.op === '#') {
      if (!isMetaComment(entry.text)) continue;
      const meta = parseMeta(entry.text);
      if (meta === undefined) continue;
      context.reset();
      current = { verb: meta.verb, fields: meta.fields, statements: [] };
      messages.push(current);
      continue;
    }
    if (current === undefined || (current.verb !== Verb.SNAPSHOT && current.verb !== Verb.CHANGE)) {
      current = { verb: 'plain', fields: {}, statements: [] };
      messages.push(current);
    }
    current.statements.push(entry);
  }
  return { messages, errors };
}

/** A non-negative integer field, or undefined. */
export function intField(fields: MetaFields, key: string): number | undefined {
  return parseWireInteger(fields[key]);
}
