import { classifyError } from '../errors/adapter-errors';
import { fullJitterDelay, type RetryPolicy } from '../retry/retry-policy';

/** The HTTP transport's retries within one call: short, so a worker is not held for long. */
export const DEFAULT_RETRY: Required<RetryPolicy> = {
  maxAttempts: 3,
  baseDelayMs: 200,
  maxDelayMs: 5000,
  maxRetryAfterMs: 10_000,
  maxAgeMs: Infinity,
};

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
