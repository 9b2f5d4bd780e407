import { TestClient } from './client.js';
import { until } from './wait.js';

/**
 * A client of another document that keeps pinging the server (`#vs ping`)
 * while an attack runs, and records the slowest round trip: the hang
 * detector of the hostile tests. A stall of the event loop, whatever causes
 * it, delays every pong.
 */
export class Bystander {
  readonly client: TestClient;
  /** Slowest round trip so far, in ms. */
  slowest = 0;
  rounds = 0;
  #running = true;
  #loop: Promise<void> | undefined;

  private constructor(client: TestClient) {
    this.client = client;
  }

  static async start(url: string, doc = 'bystander'): Promise<Bystander> {
    const client = new TestClient(url, { doc });
    await client.welcome();
    const bystander = new Bystander(client);
    bystander.#loop = bystander.#run();
    return bystander;
  }

  async #run(): Promise<void> {
    let t = 0;
    while (this.#running) {
      const tag = String(++t);
      const started = performance.now();
      this.client.send(`#vs ping t=${tag}\n`);
      await until(
        () => this.client.metas.some((m) => m.verb === 'pong' && m.fields.t === tag),
        `pong ${tag}`,
        60_000,
      );
      this.slowest = Math.max(this.slowest, performance.now() - started);
      this.rounds++;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Stops pinging; resolves with the slowest round trip, in ms. */
  async stop(): Promise<number> {
    this.#running = false;
    await this.#loop;
    this.client.close();
    return this.slowest;
  }
}

/** The hang detector's bound: generous, a busy machine stays far below it. */
export const HANG_MS = 1_000;
