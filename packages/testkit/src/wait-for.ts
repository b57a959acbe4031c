/** How long `waitFor` waits, and how often it looks. */
export interface WaitForOptions {
  /** Give up after this many milliseconds (default 15,000). */
  timeoutMs?: number;
  /** Look again after this many milliseconds (default 20). */
  intervalMs?: number;
}

/** What a check returns once it is satisfied: any value but `false`, `0`, `''`, `null` or `undefined`. */
export type Satisfied<T> = Exclude<T, false | 0 | 0n | '' | null | undefined>;

/**
 * Resolves with the first truthy value `check` returns, looking again every `intervalMs`; rejects,
 * naming `what`, once `timeoutMs` has passed without one, and at once if `check` throws. For a test
 * that waits on work done in the background (a delivery, a status poll, a child process) with a
 * deadline rather than a fixed sleep. A number as `options` is the timeout.
 *
 * ```ts
 * await waitFor(async () => (await stack.get(id))?.state === 'delivered', 'the delivery');
 * const request = await waitFor(() => sim.requests.find((r) => r.method === 'POST'), 'a POST', 5_000);
 * ```
 */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, options: WaitForOptions | number = {}): Promise<Satisfied<T>> {
  const { timeoutMs = 15_000, intervalMs = 20 } = typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Satisfied<T>;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}
