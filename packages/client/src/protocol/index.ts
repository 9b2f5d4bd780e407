export type { CloseCodeName, CloseCodeValue } from './close-codes.js';
export { CloseCode, closeCodeName, isFatalClose } from './close-codes.js';
export type { Meta, MetaFields } from './meta.js';
export {
  EXT_SPLICE,
  formatMeta,
  isMetaComment,
  META_PREFIX,
  PROTOCOL_VERSION,
  PROTOCOL_VERSIONS,
  parseMeta,
  SPLICE_STALE,
} from './meta.js';
export type { SectionInfo } from './sections.js';
export { changeHead, changeIdOf, SectionReader, sectionHead } from './sections.js';
