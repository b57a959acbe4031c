/**
 * A token bucket per target: at most `perSecond` deliveries a second on average, with bursts up to
 * `burst` (default: one second's worth). Vendors publish such limits (GOV.UK Pay: 15 POSTs a second);
 * keeping under them avoids 429 storms instead of recovering from them.
 */
export class RateBudget {
  private tokens: number;
  private last: number;
  private readonly capacity: number;

  constructor(
    private readonly perSecond: number,
    burst: number | undefined,
    private readonly now: () => number,
  ) {
    if (!(perSecond > 0)) throw new RangeError('a rate budget needs perSecond > 0');
    this.capacity = Math.max(1, Math.floor(burst ?? Math.ceil(perSecond)));
    this.tokens = this.capacity;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
  }

  /** Whole deliveries the budget allows now. */
  available(): number {
    this.refill();
    return Math.floor(this.tokens);
  }

  /** Spends `n` tokens (deliveries just leased). */
  take(n: number): void {
    this.refill();
    this.tokens -= n;
  }
}
