import { changeHead } from '@varstream/protocol';
import { formatStatement, type WritableStatement } from '@varstream/varstream';

/**
 * The statement lines of a change, every path absolute. (`StatementWriter`
 * would shorten paths with `^`, but it turns `list.+.a` then `list.+.b` into
 * `^.b`, which reads back as the same element: absolute lines are exact.)
 */
export function changeBody(statements: readonly WritableStatement[]): string {
  let text = '';
  for (const statement of statements) text += formatStatement(statement);
  return text;
}

/**
 * The frame that sends a change: `#vs change s=<seq>` (or `id=<id>`), with
 * `base=<rev>` when it holds text splices (PROTOCOL.md 3.6), and its statements.
 */
export function changeFrame(id: string, client: string, body: string, base?: number): string {
  return `${changeHead(id, client, base !== undefined && base >= 0 ? base : undefined)}\n${body}`;
}

/** True when a change holds a text splice (`~=`). */
export function hasSplices(statements: readonly { readonly op: string }[]): boolean {
  for (const statement of statements) if (statement.op === '~=') return true;
  return false;
}
