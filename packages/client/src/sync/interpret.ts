import { type SectionReader, Verb } from '@varstream/protocol';
import { ClientError, type RejectionCode } from '../errors.js';
import type { PresenceUpdate } from '../presence/presence.js';
import type { Incoming } from '../view/replica.js';
import { intField, type ServerMessage } from './server-frame.js';

/** What the server says in a rejection, before the change's text is attached. */
export interface RejectInfo {
  readonly id: string;
  readonly code: RejectionCode;
  readonly message: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
}

/** A server frame turned into what the document does with it. */
export interface Interpreted {
  /** Set when the frame starts a connection: `#vs welcome` fields. */
  readonly welcome:
    | {
        readonly conn: string | undefined;
        readonly access: string | undefined;
        /** The document's history (PROTOCOL.md 2.3): sent back in the hello to resume. */
        readonly epoch: string | undefined;
        /** Extensions the server speaks for this connection (`splice`). */
        readonly ext: readonly string[];
      }
    | undefined;
  /** What the replica takes, in order. */
  readonly batch: Incoming[];
  readonly rejections: Map<string, RejectInfo>;
  readonly presence: PresenceUpdate[];
  /** `#vs error` lines. */
  readonly errors: ClientError[];
  /** Something the client cannot follow (a section or snapshot without revision, statements outside a section). */
  readonly resync: boolean;
  /**
   * The server could not store a change now (`UNAVAILABLE`: a server on
   * Redis without Redis): it is not rejected, it stays pending and is sent
   * again after a reconnect.
   */
  readonly unavailable: boolean;
}

/**
 * Reads the messages of one server frame (PROTOCOL.md section 3). Unknown
 * verbs are ignored. `sections` follows the connection across frames (the
 * revisions and ids that compact section heads leave out).
 */
export function interpretFrame(
  messages: readonly ServerMessage[],
  sections: SectionReader,
): Interpreted {
  let welcome: Interpreted['welcome'];
  const batch: Incoming[] = [];
  const rejections = new Map<string, RejectInfo>();
  const presence: PresenceUpdate[] = [];
  const errors: ClientError[] = [];
  let resync = false;
  let unavailable = false;
  for (const { verb, fields, statements } of messages) {
    switch (verb) {
      case Verb.WELCOME:
        welcome = {
          conn: fields.conn,
          access: fields.access,
          epoch: fields.epoch,
          ext: fields.ext === undefined ? [] : fields.ext.split(','),
        };
        sections.welcome(fields.conn);
        break;
      case Verb.SNAPSHOT: {
        // Without a valid revision it was taken as revision 0 (resumed from there).
        const rev = intField(fields, 'rev');
        if (rev === undefined) {
          resync = true;
          break;
        }
        sections.at(rev);
        batch.push({ kind: 'snapshot', rev, statements });
        break;
      }
      case Verb.REPLAY:
        sections.at(intField(fields, 'from'));
        break;
      case Verb.CHANGE: {
        const section = sections.section(fields);
        if (section === undefined) resync = true;
        else batch.push({ kind: 'change', rev: section.rev, id: section.id, statements });
        break;
      }
      case Verb.ACK:
        if (fields.id !== undefined)
          batch.push({ kind: 'ack', id: fields.id, rev: ackRev(fields.rev) });
        break;
      case Verb.REJECT:
        if (fields.id === undefined) break;
        if (fields.code === 'UNAVAILABLE') {
          unavailable = true;
          break;
        }
        batch.push({ kind: 'reject', id: fields.id, code: fields.code });
        rejections.set(fields.id, {
          id: fields.id,
          code: fields.code ?? 'REJECTED',
          message: fields.message ?? 'The server rejected the change',
          line: intField(fields, 'line'),
          column: intField(fields, 'column'),
        });
        break;
      case Verb.ERROR:
        errors.push(
          new ClientError(fields.code ?? 'SERVER_ERROR', fields.message ?? 'Server error', {
            line: intField(fields, 'line'),
            column: intField(fields, 'column'),
          }),
        );
        break;
      case Verb.PRESENCE:
        if (fields.conn !== undefined) presence.push({ kind: 'state', fields });
        break;
      case Verb.LEAVE:
        if (fields.conn !== undefined) presence.push({ kind: 'leave', conn: fields.conn });
        break;
      case 'plain':
        resync = true;
        break;
      default:
      // pong and unknown verbs: hearing anything is enough.
    }
  }
  return { welcome, batch, rejections, presence, errors, resync, unavailable };
}

/** The `rev` of a `#vs ack` line, when it is a revision number. */
function ackRev(field: string | undefined): number | undefined {
  if (field === undefined || !/^\d{1,15}$/.test(field)) return undefined;
  return Number(field);
}
