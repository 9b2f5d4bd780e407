import type { IncomingMessage } from 'node:http';
import { formatPath, type Path, parsePath } from '@varstream/varstream';

export type Access = 'read' | 'write';

/** Who a connection is, as the `authenticate` hook decides. */
export interface Identity {
  /** `read`: may follow the document; `write`: may also change it. */
  access: Access;
  /**
   * Subtrees the connection may write to (paths, or path texts such as
   * `'form'` or `'notes."a b"'`), of concrete steps (keys and indices: a
   * scope naming `*`, `+` or `!` is refused). Absent: the whole document.
   */
  scope?: readonly (Path | string)[];
  /** A name for logs. */
  user?: string;
}

export interface AuthenticateRequest {
  /** From `?token=` or, for protocol clients, the hello's `token`. */
  token: string | undefined;
  /** The document the client asks for. */
  doc: string;
  /** The HTTP upgrade request (headers, remote address). */
  request: IncomingMessage;
}

/**
 * Decides who may connect. Return an identity, or `false` (or throw) to
 * refuse: the connection is closed with 4401.
 */
export type Authenticate = (
  request: AuthenticateRequest,
) => Identity | false | null | undefined | Promise<Identity | false | null | undefined>;

/** An identity checked and normalized. */
export interface ResolvedIdentity {
  readonly access: Access;
  readonly scope: readonly Path[] | undefined;
  readonly user: string | undefined;
}

export const WRITE_ALL: ResolvedIdentity = Object.freeze({
  access: 'write',
  scope: undefined,
  user: undefined,
});

/** Validates what the hook returned; undefined when it refused or returned nonsense. */
export function resolveIdentity(value: unknown): ResolvedIdentity | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const identity = value as Partial<Identity>;
  if (identity.access !== 'read' && identity.access !== 'write') return undefined;
  let scope: Path[] | undefined;
  if (identity.scope !== undefined) {
    if (!Array.isArray(identity.scope)) return undefined;
    scope = [];
    for (const entry of identity.scope as readonly (Path | string)[]) {
      if (typeof entry === 'string') {
        // A text may name `*`, `+` or `!` (`list.!` empties every element
        // beside the writer's own): concrete steps only, as for paths.
        const path = parseScopePath(entry);
        if (path === undefined || !path.every(isConcreteSegment)) return undefined;
        scope.push(path);
      } else if (Array.isArray(entry) && entry.every(isConcreteSegment)) {
        scope.push([...entry]);
      } else {
        return undefined;
      }
    }
  }
  return {
    access: identity.access,
    scope,
    user: typeof identity.user === 'string' ? identity.user : undefined,
  };
}

function parseScopePath(text: string): Path | undefined {
  try {
    return parsePath(text);
  } catch {
    return undefined;
  }
}

function isConcreteSegment(segment: unknown): boolean {
  return (
    (typeof segment === 'string' && segment.length > 0) ||
    (typeof segment === 'number' && Number.isSafeInteger(segment) && segment >= 0)
  );
}

/** The `scope` field of the welcome line: comma-separated paths. */
export function formatScope(scope: readonly Path[]): string {
  return scope.map((path) => formatPath(path)).join(',');
}
