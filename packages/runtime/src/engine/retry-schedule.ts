import { fullJitterDelay, type ErrorClassification, type RetryPolicy } from '@lgx/core';

/** When the runtime gives up on a delivery and dead-letters it. */
export const DEFAULT_RETRY_POLICY: Required<RetryPolicy> = {
  maxAttempts: 8,
  maxAgeMs: 24 * 3600_000,
  baseDelayMs: 2000,
  maxDelayMs: 15 * 60_000,
  maxRetryAfterMs: Infinity,
};

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
  let delay = fullJitterDelay(input.attempt, policy, random);
  if (input.classification === 'rateLimited' && input.retryAfterMs !== undefined) {
    if (input.retryAfterMs > policy.maxRetryAfterMs)
      return { dead: `asked to wait ${Math.ceil(input.retryAfterMs / 1000)} s, longer than maxRetryAfterMs` };
    delay = Math.max(delay, input.retryAfterMs);
  }
  const retryAt = new Date(input.now.getTime() + delay);
  if (retryAt.getTime() - input.createdAt.getTime() > policy.maxAgeMs)
    return { dead: `older than ${Math.round(policy.maxAgeMs / 60_000)} minutes` };
  return { retryAt };
}
