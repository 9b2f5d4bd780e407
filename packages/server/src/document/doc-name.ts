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

/** True when the path is under the prefix (whatever the name): the upgrade is ours to answer. */
export function underPrefix(pathname: string, prefix = ''): boolean {
  return prefix === '' || pathname === prefix || pathname.startsWith(`${prefix}/`);
}
