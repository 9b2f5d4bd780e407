/**
 * WebSocket close codes of the varstream protocol, shared by server and
 * client: the one table of PROTOCOL.md section 4.
 */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  INVALID_DATA: 1007,
  MESSAGE_TOO_BIG: 1009,
  UNAVAILABLE: 1013,
  /** Sent by a client that drops a connection it judged dead or out of sync, before it reconnects. */
  CLIENT_RESTART: 4000,
  BAD_REQUEST: 4400,
  UNAUTHORIZED: 4401,
  FORBIDDEN_ORIGIN: 4403,
  HELLO_TIMEOUT: 4408,
  UNSUPPORTED_VERSION: 4409,
  RATE_LIMITED: 4429,
  INTERNAL_ERROR: 4500,
  SLOW_CONSUMER: 4503,
} as const;

export type CloseCodeName = keyof typeof CloseCode;
export type CloseCodeValue = (typeof CloseCode)[CloseCodeName];

const names = new Map<number, CloseCodeName>(
  (Object.keys(CloseCode) as CloseCodeName[]).map((name) => [CloseCode[name], name]),
);

/** The name of a close code (`'UNAUTHORIZED'`), or undefined for other codes. */
export function closeCodeName(code: number): CloseCodeName | undefined {
  return names.get(code);
}

/** Close codes after which reconnecting cannot help: the client stops. */
const FATAL: ReadonlySet<number> = new Set([
  CloseCode.NORMAL,
  CloseCode.BAD_REQUEST,
  CloseCode.UNAUTHORIZED,
  CloseCode.FORBIDDEN_ORIGIN,
  CloseCode.UNSUPPORTED_VERSION,
]);

export function isFatalClose(code: number): boolean {
  return FATAL.has(code);
}
