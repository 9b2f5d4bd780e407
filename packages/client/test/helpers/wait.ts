/**
 * Waits (polling every 5 ms) until `condition()` resolves truthy and returns
 * that value, or fails naming `what` after `timeoutMs`: the one polling
 * helper of this package's tests (Node and browser), with the signature of
 * the server's and the demo's (condition, what, timeout). `what` may be a
 * function, called only on timeout: a failure then says the state it found
 * (each replica's status, pending count, revision), not only what it waited for.
 */
export async function until<T>(
  condition: () => T | Promise<T>,
  what: string | (() => string) = 'condition',
  timeoutMs = 5_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) {
      const label = typeof what === 'string' ? what : what();
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${label}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
