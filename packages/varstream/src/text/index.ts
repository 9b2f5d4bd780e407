export type { TextOpProblem } from './apply-text-op.js';
export { applyTextOp, checkTextOp, splitsCharacter } from './apply-text-op.js';
export { composeTextOps } from './compose.js';
export type { Splice } from './splices.js';
export { opToSplices, splicesToOp, spliceToOp } from './splices.js';
export type { TextComponent, TextOp } from './text-op.js';
export { inputSpan, isNoop, lengthChange } from './text-op.js';
export type { Side } from './transform.js';
export { opposite, transformPair, transformPosition, transformTextOp } from './transform.js';
