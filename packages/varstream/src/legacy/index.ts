export { type LegacyParseOptions, legacyParse } from './parse.js';
export { LegacyReader, type LegacyReaderOptions } from './reader.js';
export { type LegacyStringifyOptions, legacyStringify } from './writer.js';
