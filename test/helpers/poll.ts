/** Waiting for something to happen without guessing how long it takes: poll, and give up only at a
 *  generous deadline (a loaded machine is slow, not wrong). */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll until `ok()` (which may be async) holds or the deadline passes; returns whether it held. */
export async function until(ok: () => boolean | Promise<boolean>, timeoutMs = 20_000, stepMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ok()) return true;
    await sleep(stepMs);
  }
  return ok();
}

/** Poll `probe` until it gives a value, and return it; past the deadline, fail naming `what` was awaited. */
export async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
