import type { WebSocketConstructor } from '@varstream/client';

export type Direction = 'in' | 'out' | 'event';

/**
 * A WebSocket constructor that reports every frame to `onFrame` before the
 * client sees it (received) or after it sends it (sent), and the socket's
 * open and close events. The client is unchanged: it gets this class through
 * `connect`'s `WebSocket` option.
 */
export function tappedWebSocket(
  onFrame: (direction: Direction, text: string) => void,
): WebSocketConstructor {
  class TappedWebSocket extends WebSocket {
    constructor(url: string) {
      super(url);
      // Registered before the client sets `onmessage`, so it runs first.
      this.addEventListener('message', (event) => {
        onFrame('in', typeof event.data === 'string' ? event.data : '(binary frame)');
      });
      this.addEventListener('open', () => onFrame('event', `connected to ${displayUrl(url)}`));
      this.addEventListener('close', (event) =>
        onFrame(
          'event',
          `disconnected (code ${event.code}${event.reason ? `, ${event.reason}` : ''})`,
        ),
      );
    }

    override send(data: Parameters<WebSocket['send']>[0]): void {
      super.send(data);
      onFrame('out', typeof data === 'string' ? data : '(binary frame)');
    }
  }
  return TappedWebSocket;
}

function displayUrl(url: string): string {
  const u = new URL(url);
  u.search = '';
  return u.toString();
}

/** The bounded "on the wire" pane: one list item per line, newest at the bottom. */
export class WireLog {
  readonly #list: HTMLElement;
  readonly #max: number;

  constructor(list: HTMLElement, maxLines = 200) {
    this.#list = list;
    this.#max = maxLines;
  }

  add(direction: Direction, text: string): void {
    const lines = direction === 'event' ? [text] : splitLines(text);
    const fresh = lines.slice(-this.#max);
    const list = this.#list;
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 24;
    const fragment = list.ownerDocument.createDocumentFragment();
    for (const line of fresh) fragment.append(this.#item(direction, line));
    list.append(fragment);
    let excess = list.childElementCount - this.#max;
    while (excess-- > 0) list.firstElementChild?.remove();
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  #item(direction: Direction, line: string): HTMLLIElement {
    const doc = this.#list.ownerDocument;
    const li = doc.createElement('li');
    li.className = direction;
    if (line.startsWith('#vs ')) li.classList.add('meta');
    li.dataset.direction = direction;
    const arrow = doc.createElement('span');
    arrow.className = 'arrow';
    arrow.textContent = direction === 'out' ? '↑' : direction === 'in' ? '↓' : '•';
    arrow.setAttribute('aria-hidden', 'true');
    const label = doc.createElement('span');
    label.className = 'visually-hidden';
    label.textContent = direction === 'out' ? 'sent: ' : direction === 'in' ? 'received: ' : '';
    const body = doc.createElement('span');
    body.className = 'line';
    body.textContent = line;
    li.append(arrow, label, body);
    return li;
  }
}

/** A frame's lines, without the empty one a final line break leaves. */
function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
