/**
 * The verbs of meta lines (`#vs <verb> ...`), PROTOCOL.md section 3: every
 * line this protocol writes names its verb from this table.
 */
export const Verb = {
  // client to server
  HELLO: 'hello',
  PING: 'ping',
  // server to client
  WELCOME: 'welcome',
  SNAPSHOT: 'snapshot',
  REPLAY: 'replay',
  ACK: 'ack',
  REJECT: 'reject',
  ERROR: 'error',
  LEAVE: 'leave',
  PONG: 'pong',
  // both ways
  CHANGE: 'change',
  PRESENCE: 'presence',
  // the server's files (journal and snapshot heads, PROTOCOL.md section 7)
  JOURNAL: 'journal',
  APPLIED: 'applied',
} as const;

/** A verb of the table (`'change'`, `'hello'`, ...). */
export type Verb = (typeof Verb)[keyof typeof Verb];
