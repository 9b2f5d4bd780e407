import { isContainer } from '@varstream/varstream';

/**
 * The depth of a tree: the most segments in the path of any of its values,
 * along every path that `&=` references open (a shared container counts
 * under each of its parents, a cycle once). Walks every value once, without
 * recursion; sparse arrays by their elements, not their length. Values that
 * are not VarStream values (a tree's private markers) are absent.
 */
export function treeDepth(root: unknown): number {
  if (!isContainer(root)) return 0;
  const heights = new Map<object, number>();
  const onPath = new Set<object>();
  const stack: Frame[] = [frameOf(root)];
  onPath.add(root);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const child = nextChild(frame);
    if (child === DONE) {
      stack.pop();
      onPath.delete(frame.node);
      heights.set(frame.node, frame.height);
      const parent = stack[stack.length - 1];
      if (parent !== undefined) parent.height = Math.max(parent.height, frame.height + 1);
      continue;
    }
    if (!isContainer(child) || onPath.has(child)) {
      // A leaf, or a reference back to a container being walked (one line).
      frame.height = Math.max(frame.height, 1);
      continue;
    }
    const known = heights.get(child);
    if (known !== undefined) {
      frame.height = Math.max(frame.height, known + 1);
      continue;
    }
    onPath.add(child);
    stack.push(frameOf(child));
  }
  return heights.get(root) ?? 0;
}

interface Frame {
  readonly node: object;
  /** Object keys, or array indices once a hole was met; undefined while walking an array by index. */
  keys: string[] | undefined;
  i: number;
  height: number;
}

const DONE: unique symbol = Symbol('done');

function frameOf(node: object): Frame {
  return { node, keys: Array.isArray(node) ? undefined : Object.keys(node), i: 0, height: 0 };
}

function nextChild(frame: Frame): unknown {
  const node = frame.node as Record<string, unknown>;
  for (;;) {
    if (frame.keys === undefined) {
      const arr = frame.node as unknown[];
      if (frame.i >= arr.length) return DONE;
      const index = frame.i++;
      if (!Object.hasOwn(arr, index)) {
        // A hole: from here on, only the indices that hold something.
        frame.keys = Object.keys(arr).filter((key) => Number(key) > index);
        frame.i = 0;
        continue;
      }
      const value = arr[index];
      if (isValue(value)) return value;
      continue;
    }
    if (frame.i >= frame.keys.length) return DONE;
    const value = node[frame.keys[frame.i++]!];
    if (isValue(value)) return value;
  }
}

function isValue(value: unknown): boolean {
  const t = typeof value;
  return t !== 'symbol' && t !== 'undefined' && t !== 'function';
}
