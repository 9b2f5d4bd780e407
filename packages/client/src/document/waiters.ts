/** Promises waiting for a condition (`whenSynced`): settled together. */
export class Waiters {
  #list: { resolve: () => void; reject: (err: unknown) => void }[] = [];

  wait(): Promise<void> {
    return new Promise((resolve, reject) => this.#list.push({ resolve, reject }));
  }

  get size(): number {
    return this.#list.length;
  }

  resolve(): void {
    for (const w of this.#take()) w.resolve();
  }

  reject(error: unknown): void {
    for (const w of this.#take()) w.reject(error);
  }

  #take() {
    const list = this.#list;
    this.#list = [];
    return list;
  }
}
