/**
 * `@varstream/varstream/compat`: the API of varstream 0.3.2 (`VarStream`,
 * `VarStream.parse`, `VarStream.stringify`, `VarStream.Reader`,
 * `VarStream.Writer`) on this codec's legacy mode. Same trees, same text,
 * same error messages; see docs/LEGACY.md for what is deliberately not copied.
 * CommonJS: `const VarStream = require('@varstream/varstream/compat')`.
 */
import { callable } from './callable.js';
import { VarStream as StreamClass } from './stream.js';

export type { Callable } from './callable.js';
export type { CompatError, CompatErrorFields } from './compat-error.js';
export { VarStreamCompatError, VarStreamCompatSyntaxError } from './compat-error.js';
export type { ParseContent } from './parse.js';
export { Reader as VarStreamReader } from './reader.js';
export { Writer as VarStreamWriter } from './writer.js';

/** The duplex stream, also callable without `new`, with 0.3.2's statics. */
export const VarStream = callable(StreamClass);
export type VarStream = StreamClass;
export default VarStream;
