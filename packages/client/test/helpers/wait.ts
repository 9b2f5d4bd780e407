/**
 * Waits (polling every 5 ms) until `condition()` resolves truthy and returns
 * that value, or fails naming `what` after `timeoutMs`: the one polling
 * helper of this package's tests (Node and browser), with the signature of
 * the server's and the demo's (condition, what, timeout).
 */
export async function until<T>(
  condition: () => T | Promise<T>,
  what = 'condition',
  timeoutMs = 5_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
