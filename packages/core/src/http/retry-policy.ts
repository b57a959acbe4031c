import { classifyError } from '../errors/adapter-errors';

export interface RetryPolicy {
  /** Retries after the first attempt (default 2). 0 turns retrying off. */
  retries?: number;
  /** Base of the exponential backoff (default 200 ms). */
  baseDelayMs?: number;
  /** Largest backoff delay (default 5 s). */
  maxDelayMs?: number;
  /**
   * Longest Retry-After the transport waits for itself (default 10 s). A longer one is handed to the
   * caller as a RateLimitedError, so the runtime can schedule the retry instead of holding a worker.
   */
  maxRetryAfterMs?: number;
}

export const DEFAULT_RETRY: Required<RetryPolicy> = { retries: 2, baseDelayMs: 200, maxDelayMs: 5000, maxRetryAfterMs: 10_000 };

/** "Full jitter" backoff: a random delay between 0 and min(max, base * 2^(attempt-1)). */
export function fullJitterDelay(attempt: number, policy: Required<RetryPolicy>, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(attempt - 1, 0));
  return Math.floor(random() * ceiling);
}

/**
 * How long to wait before retrying after `error`, or undefined when it must not be retried here:
 * only retryable and rate-limited failures are, and a rate limit longer than `maxRetryAfterMs` is
 * left to the caller.
 */
export function retryDelay(error: unknown, attempt: number, policy: Required<RetryPolicy>, random?: () => number): number | undefined {
  const classification = classifyError(error);
  if (classification === 'rateLimited') {
    const after = (error as { retryAfterMs?: number }).retryAfterMs;
    if (after === undefined) return fullJitterDelay(attempt, policy, random);
    return after <= policy.maxRetryAfterMs ? after : undefined;
  }
  if (classification !== 'retryable') return undefined;
  if ((error as { code?: string }).code === 'LGX_ERR_TRANSPORT_ABORTED') return undefined;
  return fullJitterDelay(attempt, policy, random);
}

/** Waits `ms`, or rejects at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
