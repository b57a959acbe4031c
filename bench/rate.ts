/** Calls per second of `call` run `total` times by `concurrency` workers. */
export async function rate(call: (i: number) => Promise<unknown>, total: number, concurrency: number): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await call(next++);
    }),
  );
  return (total * 1e9) / Number(process.hrtime.bigint() - started);
}

function isSocketReset(error: unknown): boolean {
  const e = error as { code?: string; cause?: { code?: string } } | undefined;
  return e?.code === 'ECONNRESET' || e?.cause?.code === 'ECONNRESET';
}

/**
 * A keep-alive socket that sat idle through the other side's pass may be closed by the server just as
 * the next request goes out on it, which resets that request before the server read it. A client sends
 * such a request again on a new socket; both sides here do so, once.
 */
function againOnReset(call: (i: number) => Promise<unknown>): (i: number) => Promise<unknown> {
  return async (i) => {
    try {
      return await call(i);
    } catch (error) {
      if (!isSocketReset(error)) throw error;
      return call(i);
    }
  };
}

/**
 * The raw client and the adapter, compared: a warm-up of each (`warmup` calls, default 100), then
 * `rounds` rounds that run the raw client and then the adapter, `total` calls each at `concurrency`; the best rate of each side.
 * `beforePass(round)` runs before every pass (to reset the simulator, to make keys unique per round).
 * Rates count `perCall` units a call (default 1; e.g. the rows one poll reads).
 */
export async function compareRates(options: {
  adapter: (i: number) => Promise<unknown>;
  raw: (i: number) => Promise<unknown>;
  total: number;
  concurrency: number;
  rounds: number;
  warmup?: number;
  perCall?: number;
  beforePass?: (round: number) => void;
}): Promise<{ adapterPerSecond: number; rawPerSecond: number; ratio: number }> {
  const { total, concurrency, rounds, warmup = 100, perCall = 1, beforePass = () => undefined } = options;
  const adapter = againOnReset(options.adapter);
  const raw = againOnReset(options.raw);
  await rate(adapter, warmup, concurrency);
  await rate(raw, warmup, concurrency);
  let bestAdapter = 0;
  let bestRaw = 0;
  for (let round = 1; round <= rounds; round++) {
    beforePass(round);
    bestRaw = Math.max(bestRaw, await rate(raw, total, concurrency));
    beforePass(round);
    bestAdapter = Math.max(bestAdapter, await rate(adapter, total, concurrency));
  }
  return {
    adapterPerSecond: Math.round(bestAdapter * perCall),
    rawPerSecond: Math.round(bestRaw * perCall),
    ratio: Number((bestAdapter / bestRaw).toFixed(3)),
  };
}
