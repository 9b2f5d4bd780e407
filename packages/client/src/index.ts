export type { BackoffOptions } from './connection/backoff.js';
export { Backoff } from './connection/backoff.js';
export type { WebSocketConstructor, WebSocketLike } from './connection/websocket.js';
export type { ClientDefaults } from './defaults.js';
export { clientDefaults } from './defaults.js';
export { connect } from './document/connect.js';
export type {
  ConnectOptions,
  DocumentEvents,
  Rejection,
  Status,
  VarStreamDocument,
} from './document/types.js';
export type { ClientErrorCode, ClientErrorDetails, RejectionCode } from './errors.js';
export { ClientError } from './errors.js';
export type { PathInput } from './paths/path-input.js';
export type { DocPath, DocValue, ElementOf, Paths, PathValue } from './paths/schema.js';
export type { PresenceInput, PresenceState } from './presence/presence.js';
export { browserStorage } from './storage/local-storage.js';
export type { SyncStorage } from './storage/storage.js';
export { MemoryStorage } from './storage/storage.js';
export type { Listener } from './subscriptions/subscriptions.js';
