import { classifyError, type AdapterInstance, type Logger, type StatusUpdate } from '@lgx/core';
import { recordStatusUpdates } from './record-status-updates';
import { nextCheck, sameStatus, type StatusCheck, type StatusRefreshSettings } from './status-refresh-schedule';
import type { StatusEvents } from './status-events';
import type { StatusRefreshCase } from '../store/status-refresh-types';
import type { Store } from '../store/store-types';

/** Added to the call deadline for how long a claimed case is kept from other processes. */
const CLAIM_MARGIN_MS = 60_000;

export interface RefreshTargetInput {
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

/** What one check did: updates stored, and whether the target should not be asked again this round. */
interface CheckResult {
  stored: number;
  holdTarget: boolean;
}

/**
 * One round of status checks for a target whose adapter has getStatus but no change feed: claims due
 * open cases from the store (within the target's budget, `concurrency` at a time), asks the back
 * office about each, stores what changed through the same path as polled updates, and schedules each
 * case's next check. Stops when nothing is due, the budget is spent, the back office refuses our
 * credentials or asks us to slow down, or the poller stops. Resolves how many updates were stored.
 */
export async function refreshTarget(input: RefreshTargetInput): Promise<number> {
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
    if (claim.budgetLeft === 0 || results.some((r) => r.holdTarget)) break;
  }
  return stored;
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
    return { stored: 0, holdTarget: classification === 'rateLimited' || classification === 'auth' };
  }
  // The adapter knows the vendor's reference; the case knows which transaction it is about.
  const update: StatusUpdate = { ...answer, transactionId: (answer as Partial<StatusUpdate> | null)?.transactionId ?? c.transactionId };
  if (sameStatus(c.latest, update)) {
    await settle(input, c, { kind: 'unchanged' });
    return { stored: 0, holdTarget: false };
  }
  const saved = await recordStatusUpdates({ store: input.store, target: input.target, updates: [update], now: input.now(), ...(input.events ? { events: input.events } : {}), logger: input.logger });
  // Nothing saved: an update the store already holds (same update id) or one that breaks the schema (logged).
  await settle(input, c, saved.length ? { kind: 'changed', final: input.finalStatuses.includes(update.status) } : { kind: 'unchanged' });
  return { stored: saved.length, holdTarget: false };
}

async function settle(input: RefreshTargetInput, c: StatusRefreshCase, check: StatusCheck): Promise<void> {
  const { next, delayMs } = nextCheck(check, c.delayMs, input.now(), input.settings);
  await input.store.settleStatusRefresh({ deliveryId: c.deliveryId, next, delayMs });
}
