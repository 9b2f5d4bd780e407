/** Waits (polling) until `condition()` resolves truthy, or fails after `timeoutMs`. */
export async function until<T>(
  condition: () => T | Promise<T>,
  what = 'condition',
  timeoutMs = 5_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
