/**
 * Resolves once `condition()` is true, checking every few milliseconds;
 * rejects with `label` after `timeoutMs`. Never a fixed sleep.
 */
export async function until(
  condition: () => boolean,
  label: string,
  timeoutMs = 10_000,
): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
