/**
 * Path resolution with 0.3.2's semantics (its `resolveScope`): `^` and `^N`
 * expand over the previous *resolved* path (array segments already turned
 * into numbers), the previous path is truncated in place even when the new
 * one then fails, containers are created node by node (so the ones before a
 * bad node stay), `+` `*` `!` and digit nodes make arrays, other nodes make
 * objects. Linear in the path length; own properties only; limits enforced.
 */
import type { VarStreamErrorCode } from '../errors.js';
import { type LegacyContext, tooManyNodes } from './context.js';
import { MSG_BACKREF_RANGE, MSG_BAD_BACKREF, msgEmptyNode, msgIllegalNode } from './messages.js';
import { isArrayLength, isContainer, ownGet, ownSet } from './own.js';

/** A place in the tree: the property `prop` of the container `root`. */
export interface Scope {
  readonly root: object;
  readonly prop: string;
}

/** 1-based line and column of the first character of a path in the input. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

const PROP_NODE = /^[a-zA-Z0-9_]+$/;
const ARRAY_NODE = /^[0-9]+$/;
const BACKREF = /^\^[0-9]*$/;
const CARET = 94;

/** Offset of the `k`-th dot-separated node inside `text`. */
function offsetOf(text: string, k: number): number {
  let offset = 0;
  for (let j = 0; j < k; j++) {
    const dot = text.indexOf('.', offset);
    if (dot < 0) return offset;
    offset = dot + 1;
  }
  return offset;
}

export class LegacyResolver {
  /** The last successfully resolved path (0.3.2's `previousNodes`). */
  private previous: string[] = [];

  constructor(
    private readonly ctx: LegacyContext,
    private readonly rootScope: Scope,
  ) {}

  resolve(text: string, at: Position): Scope | null {
    const nodes = text.split('.');
    const first = nodes[0]!;
    let path = nodes;
    let expandedCount = -1;
    const failAt = (code: VarStreamErrorCode, reason: string, index: number): null => {
      const original = expandedCount < 0 ? index : Math.max(0, index - expandedCount + 1);
      const column =
        expandedCount >= 0 && index < expandedCount
          ? at.column
          : at.column + offsetOf(text, original);
      this.ctx.fail(code, reason, { line: at.line, column, text });
      return null;
    };

    if (first.length > 0 && first.charCodeAt(0) === CARET) {
      let back: number;
      if (first === '^') {
        back = this.previous.length > 0 ? this.previous.length - 1 : 0;
      } else {
        if (!BACKREF.test(first)) return failAt('BAD_BACKREF', MSG_BAD_BACKREF, 0);
        back = Number.parseInt(first.slice(1), 10);
      }
      if (back > this.previous.length) return failAt('BACKREF_RANGE', MSG_BACKREF_RANGE, 0);
      // 0.3.2 truncates its previous path in place, whatever happens next.
      this.previous.length = back;
      path = this.previous.concat(nodes.slice(1));
      expandedCount = back;
    }

    const { limits } = this.ctx;
    if (path.length > limits.maxPathDepth) {
      return failAt(
        'LIMIT_DEPTH',
        `Path of ${path.length} segments, more than maxPathDepth (${limits.maxPathDepth}).`,
        0,
      );
    }

    let scope = this.rootScope;
    for (let i = 0; i < path.length; i++) {
      let node = path[i]!;
      if (node === '') return failAt('EMPTY_SEGMENT', msgEmptyNode(text), i);
      const isArrayOp = node === '+' || node === '*' || node === '!';
      if (isArrayOp || ARRAY_NODE.test(node)) {
        // biome-ignore lint/suspicious/useIsArray: 0.3.2 tests `instanceof Array`.
        if (!(ownGet(scope.root, scope.prop) instanceof Array)) {
          if (!this.createContainer(scope, [], i, failAt)) return null;
        }
        const array = ownGet(scope.root, scope.prop) as unknown[];
        if (node === '+') node = String(array.length);
        else if (node === '*') node = String(array.length - 1);
        else if (node === '!') {
          array.length = 0;
          node = '0';
        } else if (node === '0' || node.charCodeAt(0) !== 48) {
          // A canonical index (`007` is a plain property, as in 0.3.2).
          const index = Number(node);
          if (index > limits.maxArrayIndex) {
            return failAt(
              'LIMIT_INDEX',
              `Array index ${node} is larger than maxArrayIndex (${limits.maxArrayIndex}).`,
              i,
            );
          }
          if (index - array.length > limits.maxArrayGap) {
            return failAt(
              'LIMIT_GAP',
              `Array index ${node} is ${index - array.length} past the end of the array, more than maxArrayGap (${limits.maxArrayGap}).`,
              i,
            );
          }
        }
        path[i] = node;
      } else {
        if (!PROP_NODE.test(node)) return failAt('BAD_SEGMENT', msgIllegalNode(node), i);
        if (!(ownGet(scope.root, scope.prop) instanceof Object)) {
          if (!this.createContainer(scope, {}, i, failAt)) return null;
        }
      }
      const next = ownGet(scope.root, scope.prop);
      if (!isContainer(next)) {
        return failAt('TYPE_MISMATCH', 'Cannot walk through a value that is not an object.', i);
      }
      scope = { root: next, prop: node };
    }
    this.previous = path;
    return scope;
  }

  private createContainer(
    scope: Scope,
    container: object,
    index: number,
    failAt: (code: VarStreamErrorCode, reason: string, index: number) => null,
  ): boolean {
    if (isArrayLength(scope.root, scope.prop)) {
      failAt('UNSAFE_KEY', 'The length of an array cannot hold a container.', index);
      return false;
    }
    if (!this.ctx.countNode()) {
      failAt('LIMIT_NODES', tooManyNodes(this.ctx.limits), index);
      return false;
    }
    ownSet(scope.root, scope.prop, container);
    return true;
  }
}
