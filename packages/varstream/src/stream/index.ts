export { createJsonToVarStream } from './json-stream.js';
export type { ParseSource } from './parse-stream.js';
export { parseStream } from './parse-stream.js';
export { createStatementStream } from './statement-stream.js';
export { createTextStream } from './text-stream.js';
export { TreeParser } from './tree-parser.js';
export { createTreeReadable } from './tree-readable.js';
