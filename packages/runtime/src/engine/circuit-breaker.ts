/**
 * A circuit breaker per target: after `threshold` failures in a row the circuit opens and the target
 * gets no deliveries for `cooldownMs`; then one probe is let through (half-open). A success closes it,
 * a failure opens it again. Only failures that say the target is unwell count (retryable, rate-limited).
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private probing = false;

  constructor(
    private readonly threshold = 5,
    private readonly cooldownMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.openedAt === undefined) return 'closed';
    return this.now() - this.openedAt >= this.cooldownMs ? 'half-open' : 'open';
  }

  /** How many deliveries the target may take now. */
  allowance(max: number): number {
    const state = this.state;
    if (state === 'closed') return max;
    if (state === 'open' || this.probing) return 0;
    return 1;
  }

  /** A probe was sent while half-open. */
  probe(): void {
    if (this.state === 'half-open') this.probing = true;
  }

  /**
   * An attempt ended in a failure that says nothing about the target's health (a permanent or auth
   * rejection). Without this, a probe ending so would leave the breaker probing for ever, and the
   * target would get no delivery again.
   */
  settle(): void {
    this.probing = false;
  }

  success(): void {
    this.failures = 0;
    this.openedAt = undefined;
    this.probing = false;
  }

  failure(): void {
    this.failures++;
    if (this.probing || this.failures >= this.threshold) this.openedAt = this.now();
    this.probing = false;
  }
}
