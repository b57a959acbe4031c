import { silentLogger, type Logger } from '@lgx/core';
import type { Store } from '../store/store-types';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Removes the payloads (envelopes) of finished transactions created more than `olderThanDays` before
 * `now`. The store keeps the transaction row and its audit chain, and audits each purge itself.
 */
export async function purgeFinished(store: Store, options: { olderThanDays: number; now?: Date }): Promise<number> {
  if (!(options.olderThanDays >= 0)) throw new RangeError('olderThanDays must be a number of days, 0 or more');
  const now = options.now ?? new Date();
  return store.purgePayloads(new Date(now.getTime() - options.olderThanDays * DAY_MS));
}

export interface RetentionOptions {
  store: Store;
  /** Keep payloads this many days after the transaction was accepted. */
  days: number;
  /** How often to purge (default once an hour); the first run is immediate. */
  intervalMs?: number;
  logger?: Logger;
  now?: () => Date;
}

export interface RetentionJob {
  /** Stops scheduling and waits for a run in progress. */
  stop(): Promise<void>;
}

/** Runs purgeFinished on an interval. A failed run is logged and tried again at the next one. */
export function startRetention(options: RetentionOptions): RetentionJob {
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? (() => new Date());
  let stopped = false;
  let current: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    current = purgeFinished(options.store, { olderThanDays: options.days, now: now() })
      .then((count) => {
        if (count) logger.info('retention purged transaction payloads', { count, days: options.days });
      })
      .catch((error: unknown) => logger.error('retention run failed; retrying next interval', { error }))
      .finally(() => {
        if (stopped) return;
        timer = setTimeout(tick, options.intervalMs ?? 60 * 60 * 1000);
        // Retention alone must not keep a process alive.
        timer.unref();
      });
  };
  tick();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}
