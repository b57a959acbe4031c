import type { StatusUpdate } from '@lgx/core';
import type { StatusRefreshCase, StatusRefreshClaimInput } from './status-refresh-types';

/**
 * The decisions of a status-refresh claim, as pure functions both stores apply in their own SQL: how
 * much of the target's budget is left, and which due cases are handed out or closed.
 */

/** A due case as a store reads it, from a target's never-checked rows or its scheduled ones. */
export interface RefreshCandidate {
  deliveryId: string;
  transactionId: string;
  externalRef: string | null;
  /** The stored backoff step; null for a case never checked. */
  delayMs: number | null;
  /** When it fell due, in ms since the epoch (a never-checked case: delivered + firstAfterMs). */
  dueAt: number;
  latest: StatusUpdate | undefined;
}

/** A due case's row as either store returns it (SQLite: text and JSON text; PostgreSQL: Date, jsonb, bigint as text). */
export interface RefreshCandidateRow {
  id: string;
  transaction_id: string;
  external_ref: unknown;
  delay_ms: number | string | null;
  /** Delivery time for a never-checked case, the scheduled time for the others. */
  since: string | Date;
  latest: string | StatusUpdate | null;
}

/** A row as a candidate; `offsetMs` is added to `since` to give the time it fell due. */
export function toRefreshCandidate(row: RefreshCandidateRow, offsetMs: number): RefreshCandidate {
  return {
    deliveryId: row.id,
    transactionId: row.transaction_id,
    externalRef: typeof row.external_ref === 'string' ? row.external_ref : null,
    delayMs: row.delay_ms === null ? null : Number(row.delay_ms),
    dueAt: (row.since instanceof Date ? row.since.getTime() : Date.parse(row.since)) + offsetMs,
    latest: row.latest === null ? undefined : typeof row.latest === 'string' ? (JSON.parse(row.latest) as StatusUpdate) : row.latest,
  };
}

/** The budget window `now` falls in and the calls it has left, from the window stored for the target. */
export function budgetWindow(
  stored: { start: number; used: number } | undefined,
  now: number,
  budget: StatusRefreshClaimInput['budget'],
): { start: number; used: number; room: number } {
  const window = stored !== undefined && now >= stored.start && now < stored.start + budget.windowMs ? stored : { start: now, used: 0 };
  return { ...window, room: Math.max(0, budget.calls - window.used) };
}

/**
 * How many due cases of each kind a claim of `limit` reads: twice as many, so the cases it closes on the
 * way (final statuses) rarely leave it short and a round needs no extra claims.
 */
export function refreshReadSize(limit: number): number {
  return 2 * limit;
}

/**
 * From the candidates of each list (each the first `read` due of its kind, in due order), in due order
 * across them: cases whose latest status is final or whose receipt has no reference are closed (no
 * call, no budget), and of the rest the first `room` are handed out. A full list may have unread cases
 * due before another list's later ones, so nothing due after a full list's last candidate is looked at.
 */
export function pickRefreshCases(
  lists: readonly RefreshCandidate[][],
  room: number,
  input: Pick<StatusRefreshClaimInput, 'target' | 'firstAfterMs' | 'finalStatuses'> & { read: number },
): { take: StatusRefreshCase[]; close: string[] } {
  const final = new Set(input.finalStatuses);
  const horizon = Math.min(...lists.map((list) => (list.length >= input.read ? list[list.length - 1]!.dueAt : Infinity)));
  const merged = lists
    .flat()
    .filter((c) => c.dueAt <= horizon)
    .sort((a, b) => a.dueAt - b.dueAt || (a.deliveryId < b.deliveryId ? -1 : a.deliveryId > b.deliveryId ? 1 : 0));
  const take: StatusRefreshCase[] = [];
  const close: string[] = [];
  for (const candidate of merged) {
    if (
      candidate.externalRef === null ||
      candidate.externalRef === '' ||
      (candidate.latest !== undefined && final.has(candidate.latest.status))
    ) {
      close.push(candidate.deliveryId);
      continue;
    }
    if (take.length >= room) continue;
    take.push({
      deliveryId: candidate.deliveryId,
      transactionId: candidate.transactionId,
      target: input.target,
      externalRef: candidate.externalRef,
      delayMs: candidate.delayMs ?? input.firstAfterMs,
      ...(candidate.latest !== undefined ? { latest: candidate.latest } : {}),
    });
  }
  return { take, close };
}
