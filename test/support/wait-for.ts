/** Polling for a condition in tests whose outcome arrives on its own time (a watcher, a restart). */

/** Polls `condition` until it holds; throws (with `what`) after `timeoutMs`. */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  { timeoutMs = 15_000, what = "condition" }: { timeoutMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await condition();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
