/**
 * An event handler property of a socket. Declared through a method so that it
 * compares bivariantly: a socket whose handler takes a richer event (the DOM's
 * `MessageEvent`, `ws`'s, undici's) still fits, because the client only
 * assigns handlers that read the fields listed here.
 */
interface HandlerSlot<Event> {
  handle(event: Event): void;
}
export type SocketHandler<Event> = HandlerSlot<Event>['handle'];

/**
 * The part of the WebSocket API the client uses. The browser's `WebSocket`,
 * Node 22's global one and `ws`'s all fit without a cast.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: SocketHandler<unknown> | null;
  onmessage: SocketHandler<{ readonly data: unknown }> | null;
  onclose: SocketHandler<{ readonly code: number; readonly reason: string }> | null;
  onerror: SocketHandler<unknown> | null;
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
