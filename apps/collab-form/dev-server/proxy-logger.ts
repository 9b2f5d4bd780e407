import { createLogger, type Logger } from 'vite';

/** Errors of a socket whose other end went away: what closing a tab does to a proxied WebSocket. */
const DISCONNECTS = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

function isDisconnect(error: unknown): boolean {
  return (
    error instanceof Error &&
    'code' in error &&
    typeof error.code === 'string' &&
    DISCONNECTS.has(error.code)
  );
}

/**
 * Vite's logger, minus the `ws proxy error: read ECONNRESET` (and stack) that
 * Vite prints each time a browser tab with a proxied WebSocket closes. Only
 * those expected disconnects are dropped; every other proxy error is printed.
 */
export function proxyLogger(): Logger {
  const logger = createLogger();
  const error = logger.error.bind(logger);
  logger.error = (message, options) => {
    if (/ws proxy (socket )?error/.test(message) && isDisconnect(options?.error)) return;
    error(message, options);
  };
  return logger;
}
