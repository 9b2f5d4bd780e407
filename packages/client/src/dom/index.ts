export { browserStorage } from '../storage/local-storage.js';
export type { BindFormOptions } from './bind-form.js';
export { bindForm } from './bind-form.js';
export { connect } from './connect.js';
export type { FieldKind } from './fields.js';
export type { Peer } from './peers.js';
export { markPeers, peerLabel, peersByFocus } from './peers.js';
export type { TextChange } from './text-edit.js';
export { appendedText, diffText, moveOffset } from './text-edit.js';
