import { FINAL_CASE_STATUSES, type CaseStatus, type StatusUpdate } from '@lgx/core';
import { canonicalJson } from '../internal/canonical-json';

/** How one target's open cases are asked about, for an adapter with getStatus and no pollUpdates. */
export interface StatusRefreshSettings {
  /** First check this long after delivery, and again this long after each change (default 60 s). */
  firstAfterMs?: number;
  /** Longest wait between two checks of an open case (default 6 h): the wait doubles each time nothing changed. */
  maxDelayMs?: number;
  /** At most `calls` getStatus calls per target in each `windowMs` (default 60 a minute), counted in the store across every process. */
  budget?: { calls: number; windowMs: number };
  /** getStatus calls in flight at once per target (default 4). */
  concurrency?: number;
}

/** The status poller's `refresh` option: settings for every such target, and per target. */
export interface StatusRefreshOptions extends StatusRefreshSettings {
  /** Settings for one adapter instance (by its stack id), over the ones above. */
  targets?: Record<string, StatusRefreshSettings>;
  /** Statuses after which a case is not asked about again (default FINAL_CASE_STATUSES). */
  finalStatuses?: readonly CaseStatus[];
}

export const DEFAULT_STATUS_REFRESH: Required<StatusRefreshSettings> = {
  firstAfterMs: 60_000,
  maxDelayMs: 6 * 3_600_000,
  budget: { calls: 60, windowMs: 60_000 },
  concurrency: 4,
};

function whole(value: number, field: string, least: number): number {
  if (!Number.isSafeInteger(value) || value < least) throw new RangeError(`${field} must be a whole number of ${least} or more`);
  return value;
}

/** One target's settings with the defaults filled in; a bad value is a RangeError naming its field and the rule. */
export function refreshSettingsFor(target: string, options: StatusRefreshOptions = {}): Required<StatusRefreshSettings> {
  const own = options.targets?.[target];
  const field = (name: string): string => (own !== undefined && name in own ? `refresh.targets.${target}.${name}` : `refresh.${name}`);
  const merged = { ...DEFAULT_STATUS_REFRESH, ...definedOnly(options), ...definedOnly(own ?? {}) };
  const firstAfterMs = whole(merged.firstAfterMs, field('firstAfterMs'), 1);
  const maxDelayMs = whole(merged.maxDelayMs, field('maxDelayMs'), firstAfterMs);
  return {
    firstAfterMs,
    maxDelayMs,
    budget: {
      calls: whole(merged.budget.calls, `${field('budget')}.calls`, 1),
      windowMs: whole(merged.budget.windowMs, `${field('budget')}.windowMs`, 1),
    },
    concurrency: whole(merged.concurrency, field('concurrency'), 1),
  };
}

function definedOnly(settings: StatusRefreshSettings): StatusRefreshSettings {
  const out: StatusRefreshSettings = {};
  if (settings.firstAfterMs !== undefined) out.firstAfterMs = settings.firstAfterMs;
  if (settings.maxDelayMs !== undefined) out.maxDelayMs = settings.maxDelayMs;
  if (settings.budget !== undefined) out.budget = settings.budget;
  if (settings.concurrency !== undefined) out.concurrency = settings.concurrency;
  return out;
}

export function finalStatusesOf(options: StatusRefreshOptions = {}): readonly CaseStatus[] {
  return options.finalStatuses ?? FINAL_CASE_STATUSES;
}

/** What one status check found. */
export type StatusCheck =
  { kind: 'changed'; final: boolean } | { kind: 'unchanged' } | { kind: 'failed'; retryAfterMs?: number | undefined };

/**
 * When a case is next asked about, backing off from its last change: a change brings the wait back to
 * `firstAfterMs`; no change, or a failed call, doubles it up to `maxDelayMs` (a vendor's Retry-After
 * is waited out in full). A final status ends the checks (`next` undefined).
 */
export function nextCheck(
  check: StatusCheck,
  delayMs: number,
  now: Date,
  settings: Required<StatusRefreshSettings>,
): { next: Date | undefined; delayMs: number } {
  if (check.kind === 'changed' && check.final) return { next: undefined, delayMs: 0 };
  let delay =
    check.kind === 'changed' ? settings.firstAfterMs : Math.min(settings.maxDelayMs, Math.max(settings.firstAfterMs, delayMs * 2));
  if (check.kind === 'failed' && check.retryAfterMs !== undefined) delay = Math.max(delay, check.retryAfterMs);
  return { next: new Date(now.getTime() + delay), delayMs: delay };
}

/**
 * Whether a back office's answer says what the latest stored update already says. The time is left
 * out (an adapter whose vendor gives none reports when it asked), and the update id counts only when
 * the answer has one.
 */
export function sameStatus(latest: StatusUpdate | undefined, answer: StatusUpdate): boolean {
  if (latest === undefined) return false;
  const facts = (u: StatusUpdate) =>
    canonicalJson({
      status: u.status,
      code: u.externalStatusCode ?? null,
      description: u.description ?? null,
      payment: u.payment ?? null,
      notification: u.notification ?? null,
    });
  return facts(latest) === facts(answer) && (answer.updateId === undefined || answer.updateId === latest.updateId);
}
