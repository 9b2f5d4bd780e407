export { isAliased } from './aliases.js';
export {
  canonicalize,
  canonicalReset,
  plainStatement,
  REWRITE_MAX_LENGTH,
  refersIntoReplaced,
  spliceStatement,
} from './canonical.js';
export { type Container, isContainer } from './container.js';
export { createdKeys } from './created-keys.js';
export type { Limits } from './defaults.js';
export { defaults } from './defaults.js';
export type { VarStreamErrorCode, VarStreamErrorDetails } from './errors.js';
export { isVarStreamError, VarStreamError } from './errors.js';
export type {
  LegacyParseOptions,
  LegacyReaderOptions,
  LegacyStringifyOptions,
} from './legacy/index.js';
export { LegacyReader } from './legacy/index.js';
export type { ParseOptions } from './parse.js';
export { parse } from './parse.js';
export type { Path, Segment } from './path.js';
export { APPEND, formatPath, formatSegment, isBareKey, LAST, parsePath, RESET } from './path.js';
export { PathContext } from './path-context.js';
export type { ReadTextOptions } from './read-text.js';
export { readText } from './read-text.js';
export type { ReaderOptions } from './reader.js';
export { Reader } from './reader.js';
export type { ReplicaTreeOptions } from './replica-tree.js';
export { ReplicaTree } from './replica-tree.js';
export type { Comment, Entry, Operator, Statement } from './statement.js';
export { OPERATORS } from './statement.js';
export type { WritableStatement } from './statement-writer.js';
export { formatSplice, formatStatement, StatementWriter } from './statement-writer.js';
export type { StringifyOptions } from './stringify.js';
export { stringify } from './stringify.js';
export type { Change, TreeOptions } from './tree.js';
export { Tree } from './tree.js';
export type { WriterOptions } from './tree-writer.js';
export { TreeWriter } from './tree-writer.js';
export type { Literal, Scalar } from './value.js';
export {
  EMPTY_ARRAY,
  EMPTY_OBJECT,
  formatLiteral,
  formatNumber,
  formatString,
  isBareString,
  typeBareValue,
} from './value.js';

// Stream adapters and JSON conversion (browser-safe; Node streams: '@varstream/varstream/node').

export type {
  JsonErrorCode,
  JsonErrorDetails,
  JsonHandler,
  JsonLoss,
  JsonTokenizerOptions,
  JsonToVarStreamOptions,
  JsonWriterOptions,
} from './json/index.js';
export {
  checkJson,
  isJsonError,
  JsonError,
  JsonStreamParser,
  JsonTokenizer,
  JsonToVarStream,
  JsonValueBuilder,
  JsonWriter,
  jsonToVarStream,
  toJsonText,
} from './json/index.js';
export type { ParseSource } from './stream/index.js';
export {
  createJsonToVarStream,
  createStatementStream,
  createTextStream,
  createTreeReadable,
  parseStream,
  TreeParser,
} from './stream/index.js';

// Text operations (the `~=` splice's operational transformation).

export type {
  Side,
  Splice,
  TextComponent,
  TextEffect,
  TextOp,
  TextOpProblem,
} from './text/index.js';
export {
  applyTextOp,
  checkTextOp,
  composeTextOps,
  inputSpan,
  invertTextOp,
  isNoop,
  lengthChange,
  opposite,
  opToSplices,
  splicesToOp,
  spliceToOp,
  splitsCharacter,
  textEffect,
  transformPair,
  transformPosition,
  transformTextOp,
} from './text/index.js';
