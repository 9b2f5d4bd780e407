export { type LegacyParseOptions, legacyParse } from './parse.js';
export { LegacyReader, type LegacyReaderOptions } from './reader.js';
export {
  type LegacyStringifyOptions,
  LegacyWriter,
  type LegacyWriterOptions,
  legacyStringify,
} from './writer.js';
