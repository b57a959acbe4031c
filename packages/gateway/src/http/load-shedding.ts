import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isLgxError, LgxError, type Logger } from '@lgx/core';
import type { QueueDepth, RunningStack } from '@lgx/runtime';

/** High-water marks above which submissions are refused with 503 and Retry-After (0 turns a mark off). */
export interface LoadSheddingOptions {
  /** Pending deliveries of a council's stack, all targets together (default 1,000,000). */
  maxQueueDepth?: number;
  /** Pending deliveries of one target: a submission routed to it is refused (default 100,000). */
  maxTargetQueueDepth?: number;
  /** Mean event-loop delay of the gateway process over the last sample, in ms (default 1,000). */
  maxEventLoopDelayMs?: number;
  /** What Retry-After tells a refused client, in seconds (default 10). */
  retryAfterSeconds?: number;
  /** How often queue depth and event-loop delay are sampled, in ms (default 1,000). */
  sampleIntervalMs?: number;
}

export const LOAD_SHEDDING_DEFAULTS: Required<LoadSheddingOptions> = {
  maxQueueDepth: 1_000_000,
  maxTargetQueueDepth: 100_000,
  maxEventLoopDelayMs: 1_000,
  retryAfterSeconds: 10,
  sampleIntervalMs: 1_000,
};

/** What the gateway last sampled: each council's queue depth and the event-loop delay. */
export interface LoadSample {
  queues: ReadonlyMap<string, QueueDepth>;
  eventLoopDelayMs: number;
}

export interface LoadShedder {
  /** Throws LGX_ERR_GATEWAY_OVERLOADED when the council's queue or the event loop is above its mark. */
  check(council: string): void;
  /** For stack.submit's `admit`: throws LGX_ERR_GATEWAY_OVERLOADED when one of the targets is above its mark. */
  admit(council: string): (targets: readonly string[]) => void;
  /** The last sample (for metrics). */
  readonly sample: LoadSample;
  stop(): void;
}

/**
 * Load shedding for submissions, decided from samples taken in the background: queue depth from the
 * counters each store keeps (a read of a few rows), event-loop delay from perf_hooks. A refusal
 * happens before anything is stored, so accepted work is never dropped; reads, health and callbacks
 * are never refused.
 */
export function createLoadShedder(stacks: ReadonlyMap<string, RunningStack>, options: LoadSheddingOptions, logger: Logger): LoadShedder {
  const marks = { ...LOAD_SHEDDING_DEFAULTS, ...options };
  const queues = new Map<string, QueueDepth>();
  let eventLoopDelayMs = 0;
  const resolutionMs = 10;
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  let sampling = false;
  const sampleNow = async (): Promise<void> => {
    if (sampling) return;
    sampling = true;
    try {
      // The histogram's mean includes the sampling resolution itself.
      eventLoopDelayMs = histogram.count > 0 ? Math.max(0, histogram.mean / 1e6 - resolutionMs) : 0;
      histogram.reset();
      for (const [council, stack] of stacks) {
        try {
          queues.set(council, await stack.queueDepth());
        } catch (error) {
          // The last sample stands; the store's own health shows on /v1/health.
          logger.warn('could not read the queue depth for load shedding', { council, error });
        }
      }
    } finally {
      sampling = false;
    }
  };
  void sampleNow();
  const timer = setInterval(() => void sampleNow(), marks.sampleIntervalMs);
  timer.unref();

  const refuse = (reason: string, details: Record<string, unknown>): never => {
    throw new LgxError(
      'LGX_ERR_GATEWAY_OVERLOADED',
      `the gateway is not taking submissions for now: ${reason}; nothing was stored, send it again after ${marks.retryAfterSeconds} s`,
      {
        details: { ...details, retryAfterSeconds: marks.retryAfterSeconds },
      },
    );
  };

  return {
    check(council) {
      if (marks.maxEventLoopDelayMs > 0 && eventLoopDelayMs > marks.maxEventLoopDelayMs) {
        refuse(`its event loop is ${Math.round(eventLoopDelayMs)} ms behind (mark ${marks.maxEventLoopDelayMs} ms)`, {
          mark: 'eventLoopDelay',
        });
      }
      const depth = queues.get(council)?.total ?? 0;
      if (marks.maxQueueDepth > 0 && depth >= marks.maxQueueDepth)
        refuse(`${depth} deliveries are queued (mark ${marks.maxQueueDepth})`, { mark: 'queueDepth' });
    },
    admit(council) {
      return (targets) => {
        if (marks.maxTargetQueueDepth <= 0) return;
        const byTarget = queues.get(council)?.byTarget ?? {};
        for (const target of targets) {
          const depth = byTarget[target] ?? 0;
          if (depth >= marks.maxTargetQueueDepth)
            refuse(`${depth} deliveries are queued for '${target}' (mark ${marks.maxTargetQueueDepth})`, {
              mark: 'targetQueueDepth',
              target,
            });
        }
      };
    },
    get sample() {
      return { queues, eventLoopDelayMs };
    },
    stop() {
      clearInterval(timer);
      histogram.disable();
    },
  };
}

/** Retry-After in seconds for an overload or quota refusal, else undefined. */
export function retryAfterOf(error: unknown): number | undefined {
  if (!isLgxError(error) || (error.code !== 'LGX_ERR_GATEWAY_OVERLOADED' && error.code !== 'LGX_ERR_GATEWAY_QUOTA_EXCEEDED'))
    return undefined;
  const seconds = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  return typeof seconds === 'number' ? seconds : undefined;
}
