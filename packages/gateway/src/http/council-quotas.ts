import { LgxError } from '@lgx/core';
import type { RunningStack } from '@lgx/runtime';

/** How long a council's queue count is reused: the count is a read of a few counter rows, shared by every node. */
const QUEUE_READ_MS = 200;
const DEFAULT_QUEUE_RETRY_AFTER_SECONDS = 10;

export interface CouncilQuotas {
  /** Throws LGX_ERR_GATEWAY_QUOTA_EXCEEDED (429, Retry-After) when a submission of `stack`'s council is over its stack's quotas. */
  check(stack: RunningStack): Promise<void>;
}

/**
 * The quotas of each council's stack file (`quotas`): a token bucket per council for the submit rate
 * (in this process: with N gateway nodes a council may submit up to N times the rate), and the
 * council's queued deliveries from the store's counters (shared: the same on every node). Read from
 * the stack each time, so a reloaded stack's quotas apply at once. A refusal comes before anything is
 * stored; `refused` counts each.
 */
export function createCouncilQuotas(refused: (council: string, quota: 'submitRate' | 'maxQueued') => void): CouncilQuotas {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const queues = new Map<string, { total: number; at: number; reading?: Promise<number> }>();

  const queued = async (stack: RunningStack): Promise<number> => {
    const council = stack.definition.council;
    const last = queues.get(council);
    if (last && Date.now() - last.at < QUEUE_READ_MS) return last.total;
    if (last?.reading) return last.reading;
    const reading = stack.queueDepth().then(
      (depth) => {
        queues.set(council, { total: depth.total, at: Date.now() });
        return depth.total;
      },
      (error: unknown) => {
        queues.delete(council);
        throw error;
      },
    );
    queues.set(council, { total: last?.total ?? 0, at: last?.at ?? 0, reading });
    return reading;
  };

  const refuse = (council: string, quota: 'submitRate' | 'maxQueued', message: string, retryAfterSeconds: number): never => {
    refused(council, quota);
    throw new LgxError('LGX_ERR_GATEWAY_QUOTA_EXCEEDED', `${message}; nothing was stored, send it again after ${retryAfterSeconds} s`, {
      details: { council, quota, retryAfterSeconds },
    });
  };

  return {
    async check(stack) {
      const quotas = stack.definition.quotas;
      if (!quotas) return;
      const council = stack.definition.council;
      const rate = quotas.submitsPerSecond;
      if (rate !== undefined) {
        const burst = quotas.burst ?? Math.max(1, Math.ceil(rate));
        const now = Date.now();
        const bucket = buckets.get(council) ?? { tokens: burst, at: now };
        bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * rate);
        bucket.at = now;
        buckets.set(council, bucket);
        if (bucket.tokens < 1)
          refuse(
            council,
            'submitRate',
            `council ${council} is over its submit rate (${rate} a second, burst ${burst})`,
            Math.max(1, Math.ceil((1 - bucket.tokens) / rate)),
          );
        bucket.tokens -= 1;
      }
      if (quotas.maxQueued !== undefined) {
        const total = await queued(stack);
        if (total >= quotas.maxQueued)
          refuse(
            council,
            'maxQueued',
            `council ${council} has ${total} deliveries queued (quota ${quotas.maxQueued})`,
            quotas.retryAfterSeconds ?? DEFAULT_QUEUE_RETRY_AFTER_SECONDS,
          );
      }
    },
  };
}
