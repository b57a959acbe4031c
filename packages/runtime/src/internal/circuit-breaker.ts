import { backoffCeiling } from '@lgx/core';
import type { CircuitBreakerOptions, CircuitState } from '../engine/circuit-breaker-options';

/**
 * A circuit breaker per target that follows the back office. After `threshold` failures in a row the
 * circuit opens for a short cool-down, then lets one probe through (half-open): a success closes it,
 * a failure opens it again for twice as long, up to a cap, so a back office that is down for hours is
 * probed every `maxCooldownMs` while one that flaps is followed within a cool-down of its return. A
 * failure that carries the vendor's Retry-After opens the circuit until then (capped), whatever the
 * count: the vendor said when to come back. Only failures that say the target is unwell count
 * (retryable, rate-limited).
 */
export class CircuitBreaker {
  private readonly threshold: number;
  private readonly cooldownMs: number;
  private readonly maxCooldownMs: number;
  private readonly now: () => number;
  /** Failures in a row since the last success. */
  private failures = 0;
  /** Times the circuit opened since the last success: the cool-down doubles with each. */
  private opens = 0;
  private openUntil: number | undefined;
  private probing = false;

  constructor(options: CircuitBreakerOptions = {}) {
    this.threshold = Math.max(1, options.threshold ?? 5);
    this.cooldownMs = Math.max(0, options.cooldownMs ?? 1000);
    this.maxCooldownMs = Math.max(this.cooldownMs, options.maxCooldownMs ?? 30_000);
    this.now = options.now ?? Date.now;
  }

  get state(): CircuitState {
    if (this.openUntil === undefined) return 'closed';
    return this.now() >= this.openUntil ? 'half-open' : 'open';
  }

  /** When the circuit lets a probe through (undefined while closed). */
  get probeAt(): number | undefined {
    return this.openUntil;
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
    this.opens = 0;
    this.openUntil = undefined;
    this.probing = false;
  }

  /** A failure that says the target is unwell, with the vendor's Retry-After when it sent one. */
  failure(retryAfterMs?: number): void {
    this.failures++;
    const state = this.state;
    this.probing = false;
    if (retryAfterMs !== undefined && retryAfterMs >= 0) {
      // Never shorter than a hold already running: attempts sent before the circuit opened come back late.
      const until = this.now() + Math.min(retryAfterMs, this.maxCooldownMs);
      if (state === 'closed') this.opens++;
      this.openUntil = Math.max(this.openUntil ?? 0, until);
      return;
    }
    // While open, failures are of attempts sent before it opened: they say nothing new.
    if (state === 'open') return;
    if (state === 'half-open' || this.failures >= this.threshold) {
      this.opens++;
      this.openUntil = this.now() + backoffCeiling(this.opens, { baseDelayMs: this.cooldownMs, maxDelayMs: this.maxCooldownMs });
    }
  }
}
