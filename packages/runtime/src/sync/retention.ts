import { randomUUID } from 'node:crypto';
import { silentLogger, type Logger } from '@lgx/core';
import type { RetentionConfig, RetentionPeriod } from '../stack/stack-types';
import type { RetentionCutoffs, RetentionPreviewRow, Store } from '../store/store-types';

const DAY_MS = 24 * 60 * 60 * 1000;

/** How long payloads are kept after their transaction ends, in days: for every type, and per type. */
export interface RetentionPeriods {
  /** Days for every type without its own entry. */
  olderThanDays: number;
  /** Days per transaction type. */
  types?: Readonly<Record<string, number>>;
}

/** The days of a period from the stack file, such as '30d'. */
function daysOf(period: RetentionPeriod): number {
  return Number(period.slice(0, -1));
}

/**
 * The periods a stack file's `retention` sets, over `defaultDays` for every type it leaves out (the
 * stack file is validated when loaded, so its periods are well formed).
 */
export function stackRetention(config: RetentionConfig | undefined, defaultDays: number): RetentionPeriods {
  const types = Object.entries(config?.types ?? {}).map(([type, period]) => [type, daysOf(period)] as const);
  return {
    olderThanDays: config?.default !== undefined ? daysOf(config.default) : defaultDays,
    ...(types.length > 0 ? { types: Object.fromEntries(types) } : {}),
  };
}

/** The store's cut-offs for `periods` at `now`. */
export function retentionCutoffs(periods: RetentionPeriods, now: Date): RetentionCutoffs {
  const before = (days: number, field: string): Date => {
    if (!(Number.isFinite(days) && days >= 0)) throw new RangeError(`${field} must be a number of days, 0 or more, got ${days}`);
    return new Date(now.getTime() - days * DAY_MS);
  };
  const types = Object.entries(periods.types ?? {}).map(([type, days]) => [type, before(days, `retention for ${type}`)] as const);
  return { before: before(periods.olderThanDays, 'olderThanDays'), ...(types.length > 0 ? { types: Object.fromEntries(types) } : {}) };
}

/**
 * Removes the payloads (envelopes) of transactions that ended (delivered, dead or discarded) more
 * than their type's days before `now`. The store keeps the transaction row and its audit chain, and
 * audits each purge itself.
 */
export async function purgeFinished(store: Store, options: RetentionPeriods & { now?: Date }): Promise<number> {
  return store.purgePayloads(retentionCutoffs(options, options.now ?? new Date()));
}

/** What `purgeFinished` would remove now, per type and state, without removing anything. */
export async function previewRetention(store: Store, options: RetentionPeriods & { now?: Date }): Promise<RetentionPreviewRow[]> {
  return store.previewPurge(retentionCutoffs(options, options.now ?? new Date()));
}

export interface RetentionOptions {
  store: Store;
  /** Keep payloads this many days after the transaction ended, for every type without its own entry. */
  days: number;
  /** Days per transaction type (the stack file's `retention.types`). */
  types?: Readonly<Record<string, number>>;
  /** How often to purge (default once an hour); the first run is immediate. */
  intervalMs?: number;
  logger?: Logger;
  now?: () => Date;
}

export interface RetentionJob {
  /** Stops scheduling and waits for a run in progress. */
  stop(): Promise<void>;
}

/** The store duty of running retention: one process of those sharing the store at a time. */
export const RETENTION_DUTY = 'retention';

/**
 * Runs purgeFinished on an interval. A failed run is logged and tried again at the next one. With
 * several processes on one store, only the holder of the store's retention duty runs it: each tick
 * claims (or renews) the duty for 1.5 intervals, so one process runs it at a time; when the holder
 * stops, another takes over at its next tick, and when it dies, within 2.5 intervals.
 */
export function startRetention(options: RetentionOptions): RetentionJob {
  const logger = options.logger ?? silentLogger;
  const now = options.now ?? (() => new Date());
  const owner = `retention-${randomUUID()}`;
  const intervalMs = options.intervalMs ?? 60 * 60 * 1000;
  let stopped = false;
  let current: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  // Held for longer than the interval from the end of each run, so the holder's next tick renews it
  // before another process can take it.
  const claim = (at: Date): Promise<boolean> =>
    options.store.claimDuty({ duty: RETENTION_DUTY, owner, until: new Date(at.getTime() + intervalMs * 1.5), now: at });
  const run = async (): Promise<number> => {
    const at = now();
    if (!(await claim(at))) return 0;
    const count = await purgeFinished(options.store, {
      olderThanDays: options.days,
      ...(options.types ? { types: options.types } : {}),
      now: at,
    });
    await claim(now());
    return count;
  };
  const tick = (): void => {
    current = run()
      .then((count) => {
        if (count) logger.info('retention purged transaction payloads', { count, days: options.days });
      })
      .catch((error: unknown) => logger.error('retention run failed; retrying next interval', { error }))
      .finally(() => {
        if (stopped) return;
        timer = setTimeout(tick, intervalMs);
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
      // Given up (if held), so another process runs retention at its next tick.
      const at = now();
      await options.store.claimDuty({ duty: RETENTION_DUTY, owner, until: at, now: at }).catch(() => undefined);
    },
  };
}
