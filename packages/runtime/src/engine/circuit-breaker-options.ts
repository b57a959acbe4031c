/** How the delivery worker's circuit breaker per target follows a back office (`worker.breaker`). */
export interface CircuitBreakerOptions {
  /** Failures in a row that open the circuit (default 5). */
  threshold?: number;
  /** The first cool-down after the circuit opens (default 1 s); each further open without a success doubles it. */
  cooldownMs?: number;
  /** The longest cool-down, and the longest a vendor's Retry-After holds the circuit open (default 30 s, or cooldownMs if longer). */
  maxCooldownMs?: number;
  now?: () => number;
}

/** A target's circuit: closed (delivering), open (cooling down) or half-open (one probe let through). */
export type CircuitState = 'closed' | 'open' | 'half-open';
