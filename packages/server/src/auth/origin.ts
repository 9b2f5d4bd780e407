/**
 * The `Origin` check. Without an allowlist every origin is accepted. With
 * one, a request whose `Origin` is not listed is refused; a request without
 * `Origin` (not a browser: it could send any header anyway) is accepted.
 * `'*'` in the list accepts everything.
 */
export function originAllowed(
  allowlist: ReadonlySet<string> | undefined,
  origin: string | undefined,
): boolean {
  if (allowlist === undefined || allowlist.has('*')) return true;
  if (origin === undefined || origin === '') return true;
  return allowlist.has(normalizeOrigin(origin));
}

/** Lower-cased, without a trailing slash: how origins are compared. */
export function normalizeOrigin(origin: string): string {
  const lower = origin.trim().toLowerCase();
  return lower.endsWith('/') ? lower.slice(0, -1) : lower;
}
