import type { ErrorClassification } from '@lgx/core';

/** When the runtime gives up on a delivery and dead-letters it. */
export interface RetryPolicy {
  /** Attempts in all, the first included (default 8). */
  maxAttempts?: number;
  /** Oldest a delivery may get before it is dead-lettered, from its transaction's acceptance (default 24 h). */
  maxAgeMs?: number;
  /** Base of the exponential backoff (default 2 s). */
  baseDelayMs?: number;
  /** Largest backoff (default 15 min). */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY_POLICY: Required<RetryPolicy> = { maxAttempts: 8, maxAgeMs: 24 * 3600_000, baseDelayMs: 2000, maxDelayMs: 15 * 60_000 };

/**
 * What to do after a failed attempt, from the error's classification alone: retryable and
 * rate-limited failures are retried (full-jitter exponential backoff; Retry-After when the vendor gave
 * one) until the attempt or age cap; everything else is dead-lettered at once.
 */
export function nextStep(
  input: { classification: ErrorClassification; attempt: number; retryAfterMs?: number | undefined; createdAt: Date; now: Date },
  policy: Required<RetryPolicy>,
  random: () => number = Math.random,
): { retryAt: Date } | { dead: string } {
  if (input.classification !== 'retryable' && input.classification !== 'rateLimited') return { dead: `${input.classification} failure` };
  if (input.attempt >= policy.maxAttempts) return { dead: `gave up after ${input.attempt} attempts` };
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (input.attempt - 1));
  let delay = Math.floor(random() * ceiling);
  if (input.classification === 'rateLimited' && input.retryAfterMs !== undefined) delay = Math.max(delay, input.retryAfterMs);
  const retryAt = new Date(input.now.getTime() + delay);
  if (retryAt.getTime() - input.createdAt.getTime() > policy.maxAgeMs) return { dead: `older than ${Math.round(policy.maxAgeMs / 60_000)} minutes` };
  return { retryAt };
}
