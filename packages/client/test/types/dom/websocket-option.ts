import { connect } from '@varstream/client';

// The browser's WebSocket, passed explicitly.
connect('wss://example.test/doc', { WebSocket });
connect('wss://example.test/doc', { WebSocket: globalThis.WebSocket });

// A subclass that watches frames, as the demo's wire pane does.
class Tapped extends WebSocket {
  override send(data: Parameters<WebSocket['send']>[0]): void {
    super.send(data);
  }
}
connect('wss://example.test/doc', { WebSocket: Tapped });

// @ts-expect-error an EventSource is not a WebSocket
connect('wss://example.test/doc', { WebSocket: EventSource });
