import { randomUUID } from 'node:crypto';
import { classifyError, silentLogger, type AdapterInstance, type Logger } from '@lgx/core';
import { recordStatusUpdates } from './record-status-updates';
import type { StatusRefreshOptions } from './status-refresh-schedule';
import { StatusRefresher } from './status-refresher';
import type { StatusEvents } from './status-events';
import type { Store } from '../store/store-types';

export interface StatusPollerOptions {
  store: Store;
  /** The stack's running adapter instances by id (RunningStack.adapters); those with pollUpdates are polled. */
  adapters: ReadonlyMap<string, AdapterInstance>;
  /** Wait between the end of one round and the start of the next (default 60 s). */
  intervalMs?: number;
  /** Deadline for one target's poll, and for one getStatus call of a status refresh (default 30 s). */
  timeoutMs?: number;
  /**
   * Status refresh, for adapter instances with getStatus but no pollUpdates: each round asks their back
   * offices about open cases that are due (backing off from each case's last change, within a budget
   * per target, until a final status). Default on with DEFAULT_STATUS_REFRESH; false turns it off.
   */
  refresh?: StatusRefreshOptions | false;
  events?: StatusEvents;
  logger?: Logger;
  now?: () => Date;
}

/** The store cursor name for a target's poll position. */
export const pollCursorName = (target: string): string => `poll:${target}`;

/** The store duty of polling a target's change feed: one process of those sharing the store at a time. */
export const pollDutyName = (target: string): string => `poll:${target}`;

/**
 * Polls every adapter instance that offers pollUpdates, stores the canonical updates and persists the
 * vendor's cursor, so a restarted (or another) process carries on where the last one stopped. Instances
 * that offer getStatus but no pollUpdates have their open cases refreshed in the same rounds.
 */
export class StatusPoller {
  private readonly logger: Logger;
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private current: Promise<unknown> | undefined;
  private controller = new AbortController();

  private readonly refresher: StatusRefresher | undefined;
  /** This poller's name as the holder of poll duties in the store. */
  private readonly owner = `poller-${randomUUID()}`;
  /** Targets whose poll duty this poller holds. */
  private readonly held = new Set<string>();

  constructor(private readonly options: StatusPollerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? (() => new Date());
    this.refresher =
      options.refresh === false
        ? undefined
        : new StatusRefresher({
            store: options.store,
            adapters: options.adapters,
            refresh: options.refresh,
            timeoutMs: options.timeoutMs ?? 30_000,
            now: this.now,
            events: options.events,
            logger: this.logger,
          });
  }

  /** Polls on the interval until stop(); the first round runs at once. */
  start(): void {
    if (this.running) return;
    this.running = true;
    // A stopped poller aborted its signal; a restart needs a fresh one.
    if (this.controller.signal.aborted) this.controller = new AbortController();
    this.schedule(0);
  }

  /** Stops scheduling and aborts a round in flight (its saved updates stay; its cursor is not advanced). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.controller.abort(new Error('status poller stopping'));
    await this.current?.catch(() => undefined);
    // Given up, so another process polls these targets at its next round rather than after the hold.
    const now = this.now();
    for (const target of this.held)
      await this.options.store.claimDuty({ duty: pollDutyName(target), owner: this.owner, until: now, now }).catch(() => undefined);
    this.held.clear();
  }

  /**
   * One round: every pollable target, one after another, and beside them every refreshed target (each
   * a back office of its own, so side by side). A failing target is logged and tried again next round;
   * the others still run. Returns how many new updates were stored.
   */
  async pollOnce(): Promise<number> {
    return this.round(false);
  }

  /**
   * A round; `shared` for the scheduled ones, which poll a change feed only while this poller holds
   * its duty in the store (a one-off round, asked for by a caller, polls regardless).
   */
  private async round(shared: boolean): Promise<number> {
    const [polled, refreshed] = await Promise.all([this.pollTargets(shared), this.refresher?.refreshAll(this.controller.signal) ?? 0]);
    return polled + refreshed;
  }

  private async pollTargets(shared: boolean): Promise<number> {
    let stored = 0;
    for (const [target, instance] of this.options.adapters) {
      if (!instance.pollUpdates || this.refresher?.refreshes(target) || this.controller.signal.aborted) continue;
      try {
        if (shared && !(await this.holdDuty(target))) continue;
        stored += await this.pollTarget(target, instance);
      } catch (error) {
        // A declarative adapter configured without a change feed: its open cases are asked about instead.
        if (classifyError(error) === 'unsupported' && this.refresher?.takeOver(target)) {
          this.logger.info('the adapter has no change feed: its statuses are refreshed by getStatus', { target });
          continue;
        }
        // The logger scrubs secrets; the adapter's error carries no payload, only its class and code.
        this.logger.warn('status poll failed; retrying next round', { target, error });
      }
    }
    return stored;
  }

  /**
   * Whether this poller holds a target's poll duty, claiming or renewing it: held for 1.5 intervals
   * plus the poll deadline and renewed at each round, so with several processes on one store each
   * target is polled by one of them; when the holder stops another takes over at its next round, and
   * when it dies, within 2.5 intervals plus the deadline.
   */
  private async holdDuty(target: string): Promise<boolean> {
    const now = this.now();
    const holdMs = (this.options.intervalMs ?? 60_000) * 1.5 + (this.options.timeoutMs ?? 30_000);
    const mine = await this.options.store.claimDuty({
      duty: pollDutyName(target),
      owner: this.owner,
      until: new Date(now.getTime() + holdMs),
      now,
    });
    if (mine) this.held.add(target);
    else this.held.delete(target);
    return mine;
  }

  private async pollTarget(target: string, instance: AdapterInstance): Promise<number> {
    const name = pollCursorName(target);
    const cursor = await this.options.store.getCursor(name);
    const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.options.timeoutMs ?? 30_000)]);
    const result = await instance.pollUpdates!(cursor, { signal });
    // Updates first, then the cursor: a crash in between re-reads the page next time, and the store
    // drops the repeats (at-least-once, never lost).
    const saved = await recordStatusUpdates({
      store: this.options.store,
      target,
      updates: result.updates,
      now: this.now(),
      ...(this.options.events ? { events: this.options.events } : {}),
      logger: this.logger,
    });
    if (result.cursor !== cursor) await this.options.store.setCursor(name, result.cursor);
    if (saved.length) this.logger.info('status updates stored', { target, count: saved.length });
    return saved.length;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.current = this.round(true)
        .catch((error: unknown) => this.logger.error('status poll round failed', { error }))
        .finally(() => {
          if (this.running) this.schedule(this.options.intervalMs ?? 60_000);
        });
    }, delayMs);
    // Polling alone must not keep a process alive.
    this.timer.unref();
  }
}
