import { silentLogger, type AdapterInstance, type Logger } from '@lgx/core';
import { recordStatusUpdates } from './record-status-updates';
import { finalStatusesOf, refreshSettingsFor, type StatusRefreshOptions, type StatusRefreshSettings } from './status-refresh-schedule';
import { refreshTarget } from './status-refresher';
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

  private readonly refreshing = new Map<string, Required<StatusRefreshSettings>>();
  private readonly finalStatuses: readonly string[];

  constructor(private readonly options: StatusPollerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? (() => new Date());
    this.finalStatuses = finalStatusesOf(options.refresh === false ? undefined : options.refresh);
    if (options.refresh !== false) {
      // Settled (and checked) once, so a bad setting fails here rather than on every round.
      for (const [target, instance] of options.adapters) {
        if (instance.getStatus && !instance.pollUpdates) this.refreshing.set(target, refreshSettingsFor(target, options.refresh));
      }
    }
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
  }

  /**
   * One round: every pollable target, one after another, and beside them every refreshed target (each
   * a back office of its own, so side by side). A failing target is logged and tried again next round;
   * the others still run. Returns how many new updates were stored.
   */
  async pollOnce(): Promise<number> {
    const counts = await Promise.all([this.pollTargets(), ...[...this.refreshing].map(([target, settings]) => this.refreshTarget(target, settings))]);
    return counts.reduce((sum, n) => sum + n, 0);
  }

  private async refreshTarget(target: string, settings: Required<StatusRefreshSettings>): Promise<number> {
    const instance = this.options.adapters.get(target);
    if (!instance?.getStatus || this.controller.signal.aborted) return 0;
    try {
      return await refreshTarget({
        store: this.options.store,
        target,
        instance: { getStatus: instance.getStatus.bind(instance) },
        settings,
        finalStatuses: this.finalStatuses,
        timeoutMs: this.options.timeoutMs ?? 30_000,
        signal: this.controller.signal,
        now: this.now,
        ...(this.options.events ? { events: this.options.events } : {}),
        logger: this.logger,
      });
    } catch (error) {
      this.logger.warn('status refresh failed; retrying next round', { target, error });
      return 0;
    }
  }

  private async pollTargets(): Promise<number> {
    let stored = 0;
    for (const [target, instance] of this.options.adapters) {
      if (!instance.pollUpdates || this.controller.signal.aborted) continue;
      try {
        stored += await this.pollTarget(target, instance);
      } catch (error) {
        // The logger scrubs secrets; the adapter's error carries no payload, only its class and code.
        this.logger.warn('status poll failed; retrying next round', { target, error });
      }
    }
    return stored;
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
      this.current = this.pollOnce()
        .catch((error: unknown) => this.logger.error('status poll round failed', { error }))
        .finally(() => {
          if (this.running) this.schedule(this.options.intervalMs ?? 60_000);
        });
    }, delayMs);
    // Polling alone must not keep a process alive.
    this.timer.unref();
  }
}
