import { APPEND, LAST, type Path, RESET } from '@varstream/varstream';

/**
 * WORKAROUND for a codec issue (see the package README, "Known codec
 * issues"): when a statement addresses an existing array with an object key
 * (`list.z=2` while `list` is an array), the codec's tree replaces the array
 * with an object, but varstream 0.3.2 keeps the array and hangs a property on
 * it, so the canonical line alone (`list.z=2`) does not give 0.3.2 readers
 * the server's tree. The server then writes `list={}` before it: both
 * readers end with the same object.
 *
 * Returns how many segments lead to such an array (the length of the path
 * to reset), or -1 when the statement does not replace an array this way.
 */
export function arrayReplacedByKey(root: unknown, path: Path): number {
  let node = root;
  for (let d = 0; d < path.length; d++) {
    const segment = path[d]!;
    if (node === null || typeof node !== 'object') return -1;
    if (typeof segment === 'string') {
      if (Array.isArray(node)) return d;
      if (!Object.hasOwn(node, segment)) return -1;
      node = (node as Record<string, unknown>)[segment];
      continue;
    }
    if (!Array.isArray(node)) return -1;
    if (segment === APPEND || segment === RESET) return -1; // a new slot: nothing below it yet
    const index = segment === LAST ? node.length - 1 : segment;
    if (index < 0 || !Object.hasOwn(node, index)) return -1;
    node = node[index];
  }
  return -1;
}
