import WebSocket from 'ws';
import { until } from '../helpers/wait.js';

/**
 * An attacker that sends frames and reads nothing but the answers it waits
 * for (ids in change sections, acks, rejections): unlike a TestClient it does
 * not apply what it receives, so the test process spends its time on the
 * server, not on replaying the attack.
 */
export class RawAttacker {
  readonly ws: WebSocket;
  readonly #answered = new Set<string>();
  #seq = 0;
  closed: number | undefined;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ws.on('message', (data) => {
      for (const match of data
        .toString()
        .matchAll(/^#vs (?:change|ack|reject) [^\n]*?\bid=([^ \n]+)/gm)) {
        this.#answered.add(match[1]!);
      }
    });
    this.ws.on('close', (code) => {
      this.closed = code;
    });
    this.ws.on('error', () => {});
  }

  opened(): Promise<void> {
    return until(() => this.ws.readyState === WebSocket.OPEN, 'attacker open');
  }

  /** Sends a change; returns its id. */
  change(body: string): string {
    const id = `atk:${++this.#seq}`;
    this.ws.send(`#vs change id=${id}\n${body}`);
    return id;
  }

  send(text: string): void {
    this.ws.send(text);
  }

  answered(id: string, timeoutMs = 30_000): Promise<void> {
    return until(() => this.#answered.has(id), `answer to ${id}`, timeoutMs);
  }

  close(): void {
    this.ws.close();
  }
}
