export type { JsonErrorCode, JsonErrorDetails } from './errors.js';
export { isJsonError, JsonError } from './errors.js';
export type { JsonLoss, JsonWriterOptions } from './json-writer.js';
export { checkJson, JsonWriter, toJsonText } from './json-writer.js';
export type { JsonToVarStreamOptions } from './to-varstream.js';
export { JsonToVarStream, jsonToVarStream } from './to-varstream.js';
export type { JsonHandler, JsonTokenizerOptions } from './tokenizer.js';
export { JsonTokenizer } from './tokenizer.js';
export { JsonStreamParser, JsonValueBuilder } from './value-builder.js';
