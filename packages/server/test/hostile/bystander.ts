import { TestClient } from '../helpers/client.js';
import { until } from '../helpers/wait.js';

/**
 * A client of another document that keeps pinging the server (`#vs ping`)
 * while an attack runs and records the longest round trip: the server's
 * responsiveness as an innocent client sees it.
 */
export class Bystander {
  readonly client: TestClient;
  /** Longest round trip seen, in ms (a ping still unanswered counts for its age). */
  #worst = 0;
  #sent = new Map<number, number>();
  #next = 0;
  #timer: NodeJS.Timeout | undefined;

  private constructor(client: TestClient) {
    this.client = client;
    client.ws.on('message', (data) => {
      const now = performance.now();
      for (const match of data.toString().matchAll(/^#vs pong t=(\d+)/gm)) {
        const sent = this.#sent.get(Number(match[1]));
        if (sent === undefined) continue;
        this.#sent.delete(Number(match[1]));
        this.#worst = Math.max(this.#worst, now - sent);
      }
    });
  }

  static async start(url: string, doc = '/bystander'): Promise<Bystander> {
    const client = new TestClient(url, { doc });
    await client.welcome();
    const bystander = new Bystander(client);
    bystander.#timer = setInterval(() => bystander.#ping(), 20);
    return bystander;
  }

  #ping(): void {
    const t = ++this.#next;
    this.#sent.set(t, performance.now());
    this.client.send(`#vs ping t=${t}\n`);
  }

  /** Stops pinging once every ping sent is answered; returns the worst latency in ms. */
  async stop(): Promise<number> {
    clearInterval(this.#timer);
    await until(() => this.#sent.size === 0, 'the last pongs', 20_000);
    this.client.close();
    return this.#worst;
  }
}
