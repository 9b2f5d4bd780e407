/**
 * What went wrong listening on `host`:`port`, in a line naming the flag to
 * change, or undefined for an error that is not about the address.
 */
export function describeListenError(err: unknown, host: string, port: number): string | undefined {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  switch (code) {
    case 'EADDRINUSE':
      return `--port ${port}: already in use on ${host} (stop what uses it, or pick another port; 0 picks a free one)`;
    case 'EACCES':
      return `--port ${port}: not allowed to listen on it here (ports below 1024 need privileges)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `--host ${host}: no such host`;
    case 'EADDRNOTAVAIL':
      return `--host ${host}: not an address of this machine`;
    default:
      return undefined;
  }
}
