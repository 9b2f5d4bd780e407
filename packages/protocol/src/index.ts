export type { ChangeId } from './change-id.js';
export {
  CHANGE_ID_SOURCE,
  CLIENT_ID_SOURCE,
  isChangeId,
  isClientId,
  parseChangeId,
} from './change-id.js';
export type { CloseCodeName, CloseCodeValue } from './close-codes.js';
export { CloseCode, closeCodeName, isFatalClose } from './close-codes.js';
export { isEpoch } from './epoch.js';
export type { Meta, MetaFields } from './meta.js';
export { formatMeta, isMetaComment, META_PREFIX, parseMeta } from './meta.js';
export type { RejectCode } from './reject-codes.js';
export { isRejectCode, RejectCodes, SPLICE_STALE } from './reject-codes.js';
export type { SectionInfo } from './sections.js';
export {
  changeHead,
  changeIdOf,
  PLAIN_CHANGE_LINE,
  SEQ_CHANGE_LINE,
  SectionReader,
  sectionHead,
} from './sections.js';
export { Verb } from './verbs.js';
export { EXT_SPLICE, PROTOCOL_VERSION, PROTOCOL_VERSIONS } from './version.js';
export { isWireInteger, parseWireInteger, WIRE_INTEGER_SOURCE } from './wire-integer.js';
