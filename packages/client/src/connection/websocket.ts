/** The part of the WebSocket API the client uses: the browser's, and `ws`'s in Node. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** WebSocket.OPEN */
export const OPEN = 1;

/** The URL a protocol client connects to: the document URL with `vs=1`. */
export function protocolUrl(url: string): string {
  const u = new URL(url);
  u.searchParams.set('vs', '1');
  return u.toString();
}
