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
import { guarded } from './guard.js';
import { MSG_BACKREF_RANGE, MSG_BAD_BACKREF, msgEmptyNode, msgIllegalNode } from './messages.js';
import { isArrayLength, isContainer, ownGet, ownSet } from './own.js';

/**
 * A place in the tree: the property `prop` of the container `root`. `root` is
 * undefined where 0.3.2 would crash on first use of the place (see `!`).
 */
export interface Scope {
  readonly root: object | undefined;
  readonly prop: string;
}

/** Reported where 0.3.2 crashes reading a property of undefined. */
export const NOT_AN_OBJECT = 'Cannot use a property of a value that is not an object.';

/** 1-based line and column of the first character of a path in the input. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

const PROP_NODE = /^[a-zA-Z0-9_]+$/;
const ARRAY_NODE = /^[0-9]+$/;
const BACKREF = /^\^[0-9]*$/;
const CARET = 94;

type Problem = readonly [VarStreamErrorCode, string];

/** `text.split('.')`, faster on the short sliced strings the reader produces. */
function splitDots(text: string): string[] {
  const nodes: string[] = [];
  let from = 0;
  for (;;) {
    const dot = text.indexOf('.', from);
    if (dot < 0) break;
    nodes.push(text.slice(from, dot));
    from = dot + 1;
  }
  nodes.push(from === 0 ? text : text.slice(from));
  return nodes;
}

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
    private readonly rootScope: { readonly root: object; readonly prop: string },
  ) {}

  resolve(text: string, at: Position): Scope | null {
    const nodes = splitDots(text);
    const first = nodes[0]!;
    let path = nodes;
    let expanded = -1;
    if (first.length > 0 && first.charCodeAt(0) === CARET) {
      let back: number;
      if (first === '^') {
        back = this.previous.length > 0 ? this.previous.length - 1 : 0;
      } else {
        if (!BACKREF.test(first)) return this.failAt('BAD_BACKREF', MSG_BAD_BACKREF, text, at, 0);
        back = Number.parseInt(first.slice(1), 10);
      }
      if (back > this.previous.length) {
        return this.failAt('BACKREF_RANGE', MSG_BACKREF_RANGE, text, at, 0);
      }
      // 0.3.2 truncates its previous path in place, whatever happens next.
      this.previous.length = back;
      path = this.previous.concat(nodes.slice(1));
      expanded = back;
    }
    // Index `i` of `path` as an index of `nodes` (-1: a node brought by `^`).
    const original = (i: number): number =>
      expanded < 0 ? i : i < expanded ? -1 : i - expanded + 1;

    const { limits } = this.ctx;
    if (path.length > limits.maxPathDepth) {
      const reason = `Path of ${path.length} segments, more than maxPathDepth (${limits.maxPathDepth}).`;
      return this.failAt('LIMIT_DEPTH', reason, text, at, 0);
    }

    let root: object | undefined = this.rootScope.root;
    let prop = this.rootScope.prop;
    for (let i = 0; i < path.length; i++) {
      let node = path[i]!;
      if (node === '') {
        return this.failAt('EMPTY_SEGMENT', msgEmptyNode(text), text, at, original(i));
      }
      const arrayNode = node === '+' || node === '*' || node === '!' || ARRAY_NODE.test(node);
      if (!arrayNode && !PROP_NODE.test(node)) {
        return this.failAt('BAD_SEGMENT', msgIllegalNode(node), text, at, original(i));
      }
      // 0.3.2 crashes here, reading a property of undefined.
      if (root === undefined)
        return this.failAt('TYPE_MISMATCH', NOT_AN_OBJECT, text, at, original(i));
      let current = ownGet(root, prop);
      if (arrayNode) {
        // biome-ignore lint/suspicious/useIsArray: 0.3.2 tests `instanceof Array`.
        if (!(current instanceof Array)) {
          const problem = this.createContainer(root, prop, []);
          if (problem !== null) return this.failAt(problem[0], problem[1], text, at, original(i));
          current = ownGet(root, prop);
        }
        const array = current as unknown[];
        if (node === '+') node = String(array.length);
        else if (node === '*') node = String(array.length - 1);
        else if (node === '!') {
          array.length = 0;
          node = '0';
          // 0.3.2 reads the container again: emptying an array that holds
          // itself (`+&=^0` then `^1.!`) removes it from its own slot.
          current = ownGet(root, prop);
        } else if (node === '0' || node.charCodeAt(0) !== 48) {
          // A canonical index (`007` is a plain property, as in 0.3.2).
          const problem = this.checkIndex(Number(node), array.length);
          if (problem !== null) return this.failAt(problem[0], problem[1], text, at, original(i));
        }
        path[i] = node;
      } else if (!(current instanceof Object)) {
        const problem = this.createContainer(root, prop, {});
        if (problem !== null) return this.failAt(problem[0], problem[1], text, at, original(i));
        current = ownGet(root, prop);
      }
      root = isContainer(current) ? current : undefined;
      prop = node;
    }
    this.previous = path;
    return { root, prop };
  }

  /** Reports an error at node `index` of `text` (-1: at its start). */
  private failAt(
    code: VarStreamErrorCode,
    reason: string,
    text: string,
    at: Position,
    index: number,
  ): null {
    const column = at.column + (index < 0 ? 0 : offsetOf(text, index));
    this.ctx.fail(code, reason, { line: at.line, column, text });
    return null;
  }

  private checkIndex(index: number, length: number): Problem | null {
    const { limits } = this.ctx;
    if (index > limits.maxArrayIndex) {
      return [
        'LIMIT_INDEX',
        `Array index ${index} is larger than maxArrayIndex (${limits.maxArrayIndex}).`,
      ];
    }
    if (index - length > limits.maxArrayGap) {
      return [
        'LIMIT_GAP',
        `Array index ${index} is ${index - length} past the end of the array, more than maxArrayGap (${limits.maxArrayGap}).`,
      ];
    }
    return null;
  }

  private createContainer(root: object, prop: string, container: object): Problem | null {
    if (isArrayLength(root, prop)) {
      return ['UNSAFE_KEY', 'The length of an array cannot hold a container.'];
    }
    if (!this.ctx.countNode()) return ['LIMIT_NODES', tooManyNodes(this.ctx.limits)];
    const done = guarded(() => ownSet(root, prop, container));
    return done.ok ? null : [done.code, done.reason];
  }
}
