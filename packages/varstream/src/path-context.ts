import type { Segment } from './path.js';

/**
 * What `^` refers to: the path of the previous statement. A reader expands
 * `^` against it and then stores the statement's path; `Tree.apply` replaces
 * that with the concrete path it resolved (array positions instead of `+`,
 * `*`, `!`), so that `^` follows exactly what was applied. One context per
 * stream: two writers never share one (a server keeps one per connection).
 */
export class PathContext {
  previous: Segment[] = [];

  reset(): void {
    this.previous = [];
  }
}
