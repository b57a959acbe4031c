import type { Receipt } from '@lgx/core';
import { payloadHash } from './canonical-json';
import type { AttemptOutcome, AttemptRecord, AuditInput, NewDelivery, StoredDelivery } from './store-types';

/**
 * The delivery state machine's decisions, as pure functions both stores apply in their own SQL: what
 * an attempt's outcome changes, what a lease that ran out mid-attempt changes, which audit entries
 * each writes, and how the queue depth per target moves. A store reads the row, asks here, and
 * writes what it is told inside the same database transaction.
 */

/** The columns an outcome sets. The lease is always cleared and `updated_at` set to now. */
export interface DeliveryChange {
  state?: 'delivered' | 'dead';
  attempts: number;
  receipt?: Receipt;
  nextAttemptAt?: string;
  lastError?: { classification: string; code?: string; message: string };
}

/**
 * A change as the parameters of the stores' one outcome UPDATE, in order: state, attempts, receipt
 * (JSON), next attempt time, last error (JSON), updated at, delivery id. Absent columns are null
 * (the UPDATE keeps their value).
 */
export function changeParameters(change: DeliveryChange, now: Date, deliveryId: string): unknown[] {
  return [
    change.state ?? null,
    change.attempts,
    change.receipt === undefined ? null : JSON.stringify(change.receipt),
    change.nextAttemptAt ?? null,
    change.lastError === undefined ? null : JSON.stringify(change.lastError),
    now.toISOString(),
    deliveryId,
  ];
}

export interface OutcomeTransition {
  change: DeliveryChange;
  /** The audit entry to append, if the outcome is one the audit records. */
  audit: AuditInput | undefined;
  /** How the delivery's target's queue depth moves (-1 when it leaves the queue). */
  pendingDelta: number;
  /** A dead fallback link hands over to the next skipped link of its chain. */
  promoteFallback: boolean;
}

type DeliveryFacts = Pick<StoredDelivery, 'id' | 'transactionId' | 'council' | 'target' | 'mode' | 'attempts'>;

/** What recording `outcome` on `delivery` changes. */
export function outcomeTransition(delivery: DeliveryFacts, outcome: AttemptOutcome): OutcomeTransition {
  const attempts = delivery.attempts + 1;
  const audit = { council: delivery.council, actor: 'system', transactionId: delivery.transactionId, deliveryId: delivery.id };
  switch (outcome.kind) {
    case 'delivered':
      return {
        change: { state: 'delivered', attempts, receipt: outcome.receipt },
        audit: { ...audit, action: 'delivery.delivered', payloadHash: payloadHash(outcome.receipt), details: { target: delivery.target, attempt: attempts } },
        pendingDelta: -1,
        promoteFallback: false,
      };
    case 'retry':
      return { change: { attempts, nextAttemptAt: outcome.nextAttemptAt.toISOString(), lastError: outcome.error }, audit: undefined, pendingDelta: 0, promoteFallback: false };
    case 'dead': {
      // Only the class and code go in the audit: the message, though redacted, is free text.
      const details: Record<string, unknown> = { target: delivery.target, attempt: attempts, classification: outcome.error.classification };
      if (outcome.error.code !== undefined) details['code'] = outcome.error.code;
      return { change: { state: 'dead', attempts, lastError: outcome.error }, audit: { ...audit, action: 'delivery.dead', details }, pendingDelta: -1, promoteFallback: delivery.mode === 'fallback' };
    }
  }
}

/** The audit entry for the next link of a fallback chain taking its turn after `dead` died. */
export function fallbackAudit(next: Pick<StoredDelivery, 'id' | 'transactionId' | 'council' | 'target' | 'order'>, dead: Pick<StoredDelivery, 'id'>): AuditInput {
  return { council: next.council, actor: 'system', action: 'delivery.fallback', transactionId: next.transactionId, deliveryId: next.id, details: { target: next.target, order: next.order, after: dead.id } };
}

export interface ResendTransition {
  /** The attempt whose lease ran out, recorded with an unknown outcome. */
  attempt: AttemptRecord;
  change: { attempts: number; lastError: NonNullable<DeliveryChange['lastError']> };
  audit: AuditInput;
}

/**
 * A delivery whose lease ran out before its holder recorded an outcome (the holder died or stalled):
 * the vendor may or may not have received that attempt. It counts as an attempt with an unknown
 * outcome, and the delivery is sent again, which the audit records. `leasedAt` is when the lost lease
 * was taken (the row's `updated_at`: renewals do not move it).
 */
export function resendTransition(delivery: DeliveryFacts, leasedAt: string, now: Date): ResendTransition {
  const attempt = delivery.attempts + 1;
  const message = `the outcome of attempt ${attempt} is unknown: the worker holding its lease stopped before recording it`;
  return {
    attempt: { attempt, startedAt: leasedAt, finishedAt: now.toISOString(), outcome: 'unknown', classification: 'unknown', message },
    change: { attempts: attempt, lastError: { classification: 'unknown', message } },
    audit: {
      council: delivery.council,
      actor: 'system',
      action: 'delivery.resent',
      transactionId: delivery.transactionId,
      deliveryId: delivery.id,
      details: { target: delivery.target, unknownAttempt: attempt },
    },
  };
}

/** How many pending deliveries a new transaction adds to each target's queue. */
export function pendingByTarget(deliveries: readonly Pick<NewDelivery, 'target' | 'state'>[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of deliveries) if (d.state === 'pending') out.set(d.target, (out.get(d.target) ?? 0) + 1);
  return out;
}

/**
 * The new deliveries a hand-off may lease: the first pending one of each target the worker has a
 * slot for (the store then checks that nothing of the target waits before it, and the target's cap).
 */
export function handOffCandidates<D extends Pick<NewDelivery, 'target' | 'state'>>(deliveries: readonly D[], targets: readonly string[]): D[] {
  const wanted = new Set(targets);
  const out: D[] = [];
  for (const d of deliveries) {
    if (d.state !== 'pending' || !wanted.has(d.target)) continue;
    wanted.delete(d.target);
    out.push(d);
  }
  return out;
}

/** `targets` without repeats, starting at position `turn` (mod their number): each call starts one further on. */
export function rotate<T>(targets: readonly T[], turn: number): T[] {
  const unique = [...new Set(targets)];
  if (unique.length === 0) return unique;
  const start = ((turn % unique.length) + unique.length) % unique.length;
  return [...unique.slice(start), ...unique.slice(0, start)];
}

/**
 * Up to `limit` rows taken round-robin across targets (first row of each, then the second of each...),
 * in the order given: one target's backlog never crowds out another's within a lease.
 */
export function pickFairly<R>(candidates: ReadonlyArray<readonly R[]>, limit: number): R[] {
  const chosen: R[] = [];
  for (let i = 0; chosen.length < limit; i++) {
    let any = false;
    for (const rows of candidates) {
      const row = rows[i];
      if (row === undefined) continue;
      any = true;
      chosen.push(row);
      if (chosen.length >= limit) break;
    }
    if (!any) break;
  }
  return chosen;
}
