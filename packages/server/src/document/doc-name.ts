/** The document of `/`. */
export const DEFAULT_DOC = 'default';

const SEGMENT = /^[A-Za-z0-9_.-]+$/;

/**
 * True for a valid document name: 1 to 128 characters of `A-Z a-z 0-9 _ . -`
 * in segments separated by `/`, no empty segment, no `.` or `..` segment.
 */
export function isDocName(name: string): boolean {
  if (name.length < 1 || name.length > 128) return false;
  for (const segment of name.split('/')) {
    if (!SEGMENT.test(segment) || segment === '.' || segment === '..') return false;
  }
  return true;
}

/**
 * The document a URL path names (`/` is `default`, `/team/notes` is
 * `team/notes`), below `prefix` (`''` or like `/sync`). Undefined when the
 * path is outside the prefix or the name is invalid.
 */
export function docNameFromPath(pathname: string, prefix = ''): string | undefined {
  let rest = pathname;
  if (prefix !== '') {
    if (rest === prefix) rest = '/';
    else if (rest.startsWith(`${prefix}/`)) rest = rest.slice(prefix.length);
    else return undefined;
  }
  if (!rest.startsWith('/')) return undefined;
  if (rest === '/') return DEFAULT_DOC;
  const name = rest.slice(1);
  return isDocName(name) ? name : undefined;
}

/**
 * The path of a request target as the client sent it, before the query: not
 * percent-decoded and with no `.`/`..` resolution (a URL parser would turn
 * `/a/%2e%2e/b` into `/b`). Undefined when it is not an origin-form path.
 */
export function rawPathname(target: string | undefined): string | undefined {
  if (target === undefined || !target.startsWith('/')) return undefined;
  const end = target.search(/[?#]/);
  return end === -1 ? target : target.slice(0, end);
}

/** True when the path is under the prefix (whatever the name): the upgrade is ours to answer. */
export function underPrefix(pathname: string, prefix = ''): boolean {
  return prefix === '' || pathname === prefix || pathname.startsWith(`${prefix}/`);
}
