/**
 * When a failed call is tried again, and how long to wait first: the one policy of the HTTP
 * transport's retries within a call and of the runtime's delivery retries. Which failures are retried
 * is decided by their classification alone (retryable and rate-limited ones); the policy bounds how
 * often, how long apart and for how long.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included (transport: 3, runtime: 8). 1 turns retrying off. */
  maxAttempts?: number;
  /** Base of the exponential backoff (transport: 200 ms, runtime: 2 s). */
  baseDelayMs?: number;
  /** Largest backoff delay (transport: 5 s, runtime: 15 min). */
  maxDelayMs?: number;
  /**
   * Longest Retry-After waited for (transport: 10 s, runtime: no limit). A longer one ends retrying
   * at that level: the transport hands the RateLimitedError to its caller, so the runtime schedules
   * the retry instead of holding a worker; the runtime dead-letters the delivery.
   */
  maxRetryAfterMs?: number;
  /**
   * No retry starts later than this after the first attempt (transport: no limit; runtime: 24 h,
   * counted from the transaction's acceptance).
   */
  maxAgeMs?: number;
}

/** The part of a policy the backoff reads. */
export type BackoffPolicy = Required<Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>>;

/** The exponential backoff's ceiling after `attempt` failures: min(max, base * 2^(attempt-1)). */
export function backoffCeiling(attempt: number, policy: BackoffPolicy): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(attempt - 1, 0));
}

/**
 * "Full jitter" backoff: a random delay between 0 and the ceiling after `attempt` failures, so callers
 * that failed together do not all come back together.
 */
export function fullJitterDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  return Math.floor(random() * backoffCeiling(attempt, policy));
}
