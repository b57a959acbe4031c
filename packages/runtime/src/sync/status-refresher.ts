import { classifyError, type AdapterInstance, type Logger, type StatusUpdate } from '@lgx/core';
import { recordStatusUpdates } from './record-status-updates';
import {
  finalStatusesOf,
  nextCheck,
  refreshSettingsFor,
  sameStatus,
  type StatusCheck,
  type StatusRefreshOptions,
  type StatusRefreshSettings,
} from './status-refresh-schedule';
import type { StatusEvents } from './status-events';
import type { StatusRefreshCase } from '../store/status-refresh-types';
import type { Store } from '../store/store-types';

/** Added to the call deadline for how long a claimed case is kept from other processes. */
const CLAIM_MARGIN_MS = 60_000;

interface RefreshTargetInput {
  store: Store;
  target: string;
  instance: Required<Pick<AdapterInstance, 'getStatus'>>;
  settings: Required<StatusRefreshSettings>;
  finalStatuses: readonly string[];
  /** Deadline for one getStatus call. */
  timeoutMs: number;
  /** Aborted when the poller stops. */
  signal: AbortSignal;
  now: () => Date;
  events?: StatusEvents;
  logger: Logger;
}

/** What one check did: updates stored, and whether the target should not be asked again this round (or at all). */
interface CheckResult {
  stored: number;
  holdTarget: boolean;
  unsupported?: boolean;
}

export interface StatusRefresherOptions {
  store: Store;
  adapters: ReadonlyMap<string, AdapterInstance>;
  refresh?: StatusRefreshOptions | undefined;
  /** Deadline for one getStatus call. */
  timeoutMs: number;
  now: () => Date;
  events?: StatusEvents | undefined;
  logger: Logger;
}

/**
 * The status poller's refresh side: which targets have their open cases asked about (those with
 * getStatus and no change feed, or whose change feed turned out unsupported), and a round of each.
 */
export class StatusRefresher {
  /** Settings of every target that could be refreshed, checked at once so a bad one fails at start. */
  private readonly settings = new Map<string, Required<StatusRefreshSettings>>();
  private readonly active = new Set<string>();
  private readonly finalStatuses: readonly string[];

  constructor(private readonly options: StatusRefresherOptions) {
    this.finalStatuses = finalStatusesOf(options.refresh);
    for (const [target, instance] of options.adapters) {
      if (!instance.getStatus) continue;
      this.settings.set(target, refreshSettingsFor(target, options.refresh));
      if (!instance.pollUpdates) this.active.add(target);
    }
  }

  /** Whether `target` is refreshed (and so not polled). */
  refreshes(target: string): boolean {
    return this.active.has(target);
  }

  /**
   * A target whose pollUpdates says it is unsupported (a declarative adapter configured without a
   * change feed): refreshed from now on if it has getStatus. Resolves whether it is.
   */
  takeOver(target: string): boolean {
    if (!this.settings.has(target)) return false;
    this.active.add(target);
    return true;
  }

  /** One round of every refreshed target, side by side (each a back office of its own). Resolves updates stored. */
  async refreshAll(signal: AbortSignal): Promise<number> {
    const counts = await Promise.all([...this.active].map((target) => this.refreshOne(target, signal)));
    return counts.reduce((sum, n) => sum + n, 0);
  }

  private async refreshOne(target: string, signal: AbortSignal): Promise<number> {
    const instance = this.options.adapters.get(target);
    const settings = this.settings.get(target);
    if (!instance?.getStatus || !settings || signal.aborted) return 0;
    const { logger } = this.options;
    try {
      const round = await refreshTarget({
        store: this.options.store,
        target,
        instance: { getStatus: instance.getStatus.bind(instance) },
        settings,
        finalStatuses: this.finalStatuses,
        timeoutMs: this.options.timeoutMs,
        signal,
        now: this.options.now,
        ...(this.options.events ? { events: this.options.events } : {}),
        logger,
      });
      if (round.unsupported) {
        this.active.delete(target);
        logger.warn('the adapter does not support getStatus: its statuses are not refreshed', {
          target,
          code: 'LGX_ERR_ADAPTER_OPERATION_UNSUPPORTED',
        });
      }
      return round.stored;
    } catch (error) {
      logger.warn('status refresh failed; retrying next round', { target, error });
      return 0;
    }
  }
}

/**
 * One round of status checks for a target whose adapter has getStatus but no change feed: claims due
 * open cases from the store (within the target's budget, `concurrency` at a time), asks the back
 * office about each, stores what changed through the same path as polled updates, and schedules each
 * case's next check. Stops when nothing is due, the budget is spent, the back office refuses our
 * credentials or asks us to slow down, or the poller stops. Resolves how many updates were stored.
 */
async function refreshTarget(input: RefreshTargetInput): Promise<{ stored: number; unsupported: boolean }> {
  const { store, target, settings } = input;
  let stored = 0;
  while (!input.signal.aborted) {
    const claim = await store.claimStatusRefresh({
      target,
      now: input.now(),
      limit: settings.concurrency,
      firstAfterMs: settings.firstAfterMs,
      claimMs: input.timeoutMs + CLAIM_MARGIN_MS,
      budget: settings.budget,
      finalStatuses: input.finalStatuses,
    });
    if (claim.cases.length === 0 && claim.closed === 0) break;
    const results = await Promise.all(claim.cases.map((c) => checkCase(input, c)));
    stored += results.reduce((sum, r) => sum + r.stored, 0);
    if (results.some((r) => r.unsupported)) return { stored, unsupported: true };
    if (claim.budgetLeft === 0 || results.some((r) => r.holdTarget)) break;
  }
  return { stored, unsupported: false };
}

async function checkCase(input: RefreshTargetInput, c: StatusRefreshCase): Promise<CheckResult> {
  const signal = AbortSignal.any([input.signal, AbortSignal.timeout(input.timeoutMs)]);
  let answer: StatusUpdate;
  try {
    answer = await input.instance.getStatus(c.externalRef, { signal });
  } catch (error) {
    // Stopping: the case stays claimed and is asked about again once its claim runs out.
    if (input.signal.aborted) return { stored: 0, holdTarget: true };
    const classification = classifyError(error);
    // A not-found answer is no status: nothing is stored, and the case is asked about again later.
    input.logger.warn('status check failed; asking again later', { target: input.target, deliveryId: c.deliveryId, classification, error });
    const retryAfterMs = (error as { retryAfterMs?: unknown }).retryAfterMs;
    await settle(input, c, { kind: 'failed', retryAfterMs: typeof retryAfterMs === 'number' ? retryAfterMs : undefined });
    return {
      stored: 0,
      holdTarget: classification === 'rateLimited' || classification === 'auth',
      unsupported: classification === 'unsupported',
    };
  }
  // The adapter knows the vendor's reference; the case knows which transaction it is about.
  const update: StatusUpdate = { ...answer, transactionId: (answer as Partial<StatusUpdate> | null)?.transactionId ?? c.transactionId };
  if (sameStatus(c.latest, update)) {
    await settle(input, c, { kind: 'unchanged' });
    return { stored: 0, holdTarget: false };
  }
  const saved = await recordStatusUpdates({
    store: input.store,
    target: input.target,
    updates: [update],
    now: input.now(),
    ...(input.events ? { events: input.events } : {}),
    logger: input.logger,
  });
  // Nothing saved: an update the store already holds (same update id) or one that breaks the schema (logged).
  await settle(input, c, saved.length ? { kind: 'changed', final: input.finalStatuses.includes(update.status) } : { kind: 'unchanged' });
  return { stored: saved.length, holdTarget: false };
}

async function settle(input: RefreshTargetInput, c: StatusRefreshCase, check: StatusCheck): Promise<void> {
  const { next, delayMs } = nextCheck(check, c.delayMs, input.now(), input.settings);
  await input.store.settleStatusRefresh({ deliveryId: c.deliveryId, next, delayMs });
}
