/**
 * The CommonJS entry (`require('@varstream/varstream/compat')`), built by
 * tsconfig.cjs.json: `module.exports` is `VarStream` itself, as with
 * `require('varstream')`.
 */
import { VarStream } from './index.js';

export = VarStream;
