import type { Envelope } from '@lgx/core';
import { payloadHash } from '../internal/canonical-json';
import { stateOf, type TransactionState } from '../read/transaction-state';
import { acceptRollups, deliveryRollups, reportSubjectOf, type ReportSubject, type RollupChange } from './report-rollups';
import type {
  AttemptOutcome,
  AttemptRecord,
  AuditInput,
  LeasedDelivery,
  NewDelivery,
  NewTransaction,
  StoredDelivery,
  StoredTransaction,
} from './store-types';

/**
 * The delivery state machine, once for both stores: each event (a transaction accepted, an attempt's
 * outcome, a fallback link's turn, a lease, a dead letter replayed or discarded, a payload purged) as
 * a pure function from the rows it reads to what it writes. A store reads the rows (locking them as
 * its dialect needs), asks here, and writes what it is told inside the same database transaction;
 * the stores keep only SQL, locking and migrations.
 */

/** What one event changes, to be written in this order within the event's database transaction. */
export interface Transition {
  /** Attempts to record. */
  attempts: Array<{ deliveryId: string; attempt: AttemptRecord }>;
  /** Delivery rows as they become (every changeable column written). */
  deliveries: StoredDelivery[];
  /**
   * Delivery rows leased, as they become: only what a lease changes is written (lease, update time,
   * and for a re-send the attempt count and last error), which keeps leasing cheap.
   */
  leases: StoredDelivery[];
  /** Audit entries to append, in order. */
  audit: AuditInput[];
  /** How each target's pending count moves (targets that do not move are absent). */
  pending: Map<string, number>;
  /** What the reporting rollups gain or lose (see report-rollups.ts). */
  rollups: RollupChange[];
  /** Transactions whose state (from their deliveries) may have changed: the store recomputes it. */
  restate: string[];
}

function transition(parts: Partial<Transition>): Transition {
  return {
    attempts: parts.attempts ?? [],
    deliveries: parts.deliveries ?? [],
    leases: parts.leases ?? [],
    audit: parts.audit ?? [],
    pending: parts.pending ?? new Map(),
    rollups: parts.rollups ?? [],
    restate: parts.restate ?? [],
  };
}

/** `a`, then `b`, as one transition. */
/** Two transitions' writes as one (b's after a's). */
export function andThen(a: Transition, b: Transition): Transition {
  const pending = new Map(a.pending);
  for (const [target, delta] of b.pending) addDelta(pending, target, delta);
  return {
    attempts: [...a.attempts, ...b.attempts],
    deliveries: [...a.deliveries, ...b.deliveries],
    leases: [...a.leases, ...b.leases],
    audit: [...a.audit, ...b.audit],
    pending,
    rollups: [...a.rollups, ...b.rollups],
    restate: [...new Set([...a.restate, ...b.restate])],
  };
}

function addDelta(pending: Map<string, number>, target: string, delta: number): void {
  const sum = (pending.get(target) ?? 0) + delta;
  if (sum === 0) pending.delete(target);
  else pending.set(target, sum);
}

/** The delivery without a lease. */
function unleased(delivery: StoredDelivery): StoredDelivery {
  const { leaseOwner: _owner, leaseExpiresAt: _expires, ...rest } = delivery;
  return rest;
}

type DeliveryError = NonNullable<StoredDelivery['lastError']>;

function systemAudit(delivery: StoredDelivery, action: string, details: Record<string, unknown>): AuditInput {
  return { council: delivery.council, actor: 'system', action, transactionId: delivery.transactionId, deliveryId: delivery.id, details };
}

/** A new transaction, as stored: its row, its delivery rows, the acceptance audit entry, the queue and the rollups it adds to. */
export interface Acceptance {
  transaction: StoredTransaction & { envelope: Envelope; report: ReportSubject; state: TransactionState };
  deliveries: StoredDelivery[];
  /** The new deliveries handed to the accepting worker (leased in this commit), with the envelope. */
  leased: LeasedDelivery[];
  audit: AuditInput;
  pending: Map<string, number>;
  rollups: RollupChange[];
}

/**
 * Accepting `input`, with the deliveries in `handed` leased to `input.lease`'s owner (the store
 * decides which, from `handOffCandidates` and what waits in its queue). The audit entry's payload
 * hash is the caller's when it gives one (a running stack hashes the payload it validated), else the
 * envelope's: one hash per accept either way.
 */
export function acceptTransition(input: NewTransaction, handed: ReadonlySet<string>): Acceptance {
  const { envelope, now, lease } = input;
  const at = now.toISOString();
  const expires = lease ? new Date(now.getTime() + lease.leaseMs).toISOString() : undefined;
  const deliveries: StoredDelivery[] = [];
  const leased: LeasedDelivery[] = [];
  for (const d of input.deliveries) {
    const row: StoredDelivery = {
      id: d.id,
      transactionId: envelope.id,
      council: envelope.council,
      target: d.target,
      mode: d.mode,
      order: d.order,
      state: d.state,
      attempts: 0,
      nextAttemptAt: at,
      createdAt: at,
      updatedAt: at,
    };
    if (lease && expires !== undefined && handed.has(d.id)) {
      row.leaseOwner = lease.owner;
      row.leaseExpiresAt = expires;
      leased.push({ ...row, envelope });
    }
    deliveries.push(row);
  }
  const report = reportSubjectOf(envelope, at);
  return {
    transaction: {
      id: envelope.id,
      council: envelope.council,
      type: envelope.type,
      idempotencyKey: envelope.idempotencykey,
      envelope,
      createdAt: at,
      report,
      state: stateOf(deliveries),
    },
    deliveries,
    leased,
    audit: {
      ...input.audit,
      payloadHash: input.audit.payloadHash ?? payloadHash(envelope),
      council: envelope.council,
      transactionId: envelope.id,
    },
    pending: pendingByTarget(input.deliveries),
    rollups: acceptRollups(report, deliveries),
  };
}

/** How many pending deliveries a new transaction adds to each target's queue. */
export function pendingByTarget(deliveries: readonly Pick<NewDelivery, 'target' | 'state'>[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of deliveries) if (d.state === 'pending') addDelta(out, d.target, 1);
  return out;
}

/**
 * The new deliveries a hand-off may lease: the first pending one of each target the worker has a
 * slot for (the store then checks that nothing of the target waits before it, and the target's cap).
 */
export function handOffCandidates<D extends Pick<NewDelivery, 'target' | 'state'>>(
  deliveries: readonly D[],
  targets: readonly string[],
): D[] {
  const wanted = new Set(targets);
  const out: D[] = [];
  for (const d of deliveries) {
    if (d.state !== 'pending' || !wanted.has(d.target)) continue;
    wanted.delete(d.target);
    out.push(d);
  }
  return out;
}

/** An attempt's result, as a worker reports it. */
export interface AttemptResult {
  owner: string;
  attempt: AttemptRecord;
  outcome: AttemptOutcome;
  now: Date;
}

/**
 * What the store reads for a delivery's rollups: its transaction's report columns, and (for an
 * outcome) whether another non-shadow delivery of the transaction arrived before it.
 */
export interface RollupFacts {
  subject: ReportSubject;
  completedBefore?: boolean;
}

/** An outcome's transition; when `promoteFallback`, the store finds the chain's next link for `fallbackTransition`. */
export interface OutcomeTransition extends Transition {
  promoteFallback: boolean;
}

/**
 * Recording an attempt's outcome on `current`; undefined (nothing changes) unless `result.owner`
 * still holds its lease. The owner check alone is enough: a lease that ran out and was leased again
 * has its new holder's name on it, and its lost attempt is on record as one of unknown outcome.
 */
export function outcomeTransition(current: StoredDelivery, result: AttemptResult, facts?: RollupFacts): OutcomeTransition | undefined {
  if (current.state !== 'pending' || current.leaseOwner !== result.owner) return undefined;
  const { outcome, now } = result;
  const attempts = current.attempts + 1;
  const base = { ...unleased(current), attempts, updatedAt: now.toISOString() };
  const recorded = [{ deliveryId: current.id, attempt: result.attempt }];
  const leaves = new Map([[current.target, -1]]);
  switch (outcome.kind) {
    case 'delivered':
      return {
        ...transition({
          attempts: recorded,
          deliveries: [{ ...base, state: 'delivered', receipt: outcome.receipt }],
          audit: [
            {
              ...systemAudit(current, 'delivery.delivered', { target: current.target, attempt: attempts }),
              payloadHash: payloadHash(outcome.receipt),
            },
          ],
          pending: leaves,
          rollups: facts
            ? deliveryRollups(facts.subject, current, 'pending', 'delivered', {
                finishedAt: result.attempt.finishedAt,
                completes: facts.completedBefore !== true,
              })
            : [],
          restate: [current.transactionId],
        }),
        promoteFallback: false,
      };
    case 'retry':
      return {
        ...transition({
          attempts: recorded,
          deliveries: [{ ...base, nextAttemptAt: outcome.nextAttemptAt.toISOString(), lastError: outcome.error }],
        }),
        promoteFallback: false,
      };
    case 'dead': {
      // Only the class and code go in the audit: the message, though redacted, is free text.
      const details: Record<string, unknown> = { target: current.target, attempt: attempts, classification: outcome.error.classification };
      if (outcome.error.code !== undefined) details['code'] = outcome.error.code;
      return {
        ...transition({
          attempts: recorded,
          deliveries: [{ ...base, state: 'dead', lastError: outcome.error }],
          audit: [systemAudit(current, 'delivery.dead', details)],
          pending: leaves,
          rollups: facts ? deliveryRollups(facts.subject, current, 'pending', 'dead') : [],
          restate: [current.transactionId],
        }),
        promoteFallback: current.mode === 'fallback',
      };
    }
  }
}

/**
 * The next link of a fallback chain (the first skipped one after `dead` by order) taking its turn
 * after `dead` died: pending, due now.
 */
function fallbackTransition(next: StoredDelivery, dead: Pick<StoredDelivery, 'id'>, now: Date, facts?: RollupFacts): Transition {
  const at = now.toISOString();
  return transition({
    deliveries: [{ ...next, state: 'pending', nextAttemptAt: at, updatedAt: at }],
    audit: [systemAudit(next, 'delivery.fallback', { target: next.target, order: next.order, after: dead.id })],
    pending: new Map([[next.target, 1]]),
    rollups: facts ? deliveryRollups(facts.subject, next, 'skipped', 'pending') : [],
    restate: [next.transactionId],
  });
}

/**
 * An attempt's outcome `t`, then, when it promoted one, the next link of its fallback chain taking its
 * turn after `dead` (the delivery the outcome ended).
 */
export function withFallback(
  t: Transition,
  next: StoredDelivery | undefined,
  dead: Pick<StoredDelivery, 'id'>,
  now: Date,
  facts?: RollupFacts,
): Transition {
  return next ? andThen(t, fallbackTransition(next, dead, now, facts)) : t;
}

/** A lease's transition, and the deliveries it leased (with their envelopes). */
export interface LeaseTransition extends Transition {
  leased: LeasedDelivery[];
}

/**
 * Leasing the chosen deliveries to `owner` until `expires`. A chosen delivery that still carries a
 * lease is one whose lease ran out before its holder recorded an outcome (the holder died or
 * stalled): the vendor may or may not have received that attempt. It counts as an attempt with an
 * unknown outcome, started when the lost lease was taken (`updatedAt`: renewals do not move it), and
 * the delivery is sent again, which the audit records. Audit entries come in council order (the
 * order in which the PostgreSQL store takes audit heads).
 */
export function leaseTransition(chosen: readonly LeasedDelivery[], owner: string, expires: string, now: Date): LeaseTransition {
  const at = now.toISOString();
  const attempts: Transition['attempts'] = [];
  const audit: AuditInput[] = [];
  const leased = chosen.map((current): LeasedDelivery => {
    let next: LeasedDelivery = { ...current, leaseOwner: owner, leaseExpiresAt: expires, updatedAt: at };
    if (current.leaseOwner !== undefined) {
      const attempt = current.attempts + 1;
      const message = `the outcome of attempt ${attempt} is unknown: the worker holding its lease stopped before recording it`;
      const lastError: DeliveryError = { classification: 'unknown', message };
      attempts.push({
        deliveryId: current.id,
        attempt: { attempt, startedAt: current.updatedAt, finishedAt: at, outcome: 'unknown', classification: 'unknown', message },
      });
      audit.push(systemAudit(current, 'delivery.resent', { target: current.target, unknownAttempt: attempt }));
      next = { ...next, attempts: attempt, lastError };
    }
    return next;
  });
  audit.sort((a, b) => (a.council < b.council ? -1 : a.council > b.council ? 1 : 0));
  return { ...transition({ attempts, leases: leased, audit }), leased };
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

/** An operator's decision on a dead letter. */
export interface DeadLetterAction {
  actor: string;
  reason: string;
  now: Date;
}

/** A replay's transition, and the envelope to store for the transaction when the operator edited it. */
export interface ReplayTransition extends Transition {
  envelope?: Envelope;
}

/**
 * Replaying dead delivery `current` of a transaction whose stored envelope is `stored` (undefined
 * once purged), optionally with an edited envelope; undefined (nothing changes) when the delivery is
 * not dead, or its payload is purged and no envelope is given (it cannot be delivered again).
 * An edited envelope replaces the stored one for every delivery of the transaction; its identity
 * fields stay, so dedupe and lookups still find the same transaction.
 */
export function replayTransition(
  current: StoredDelivery,
  stored: Envelope | undefined,
  action: DeadLetterAction & { envelope?: Envelope },
  facts?: RollupFacts,
): ReplayTransition | undefined {
  if (current.state !== 'dead') return undefined;
  const { actor, reason, envelope, now } = action;
  if (envelope === undefined && stored === undefined) return undefined;
  const at = now.toISOString();
  const audit: AuditInput = {
    council: current.council,
    actor,
    action: 'dlq.replay',
    transactionId: current.transactionId,
    deliveryId: current.id,
    details: { reason, target: current.target, edited: envelope !== undefined },
  };
  const replayed = transition({
    deliveries: [{ ...unleased(current), state: 'pending', nextAttemptAt: at, updatedAt: at }],
    audit: [audit],
    pending: new Map([[current.target, 1]]),
    rollups: facts ? deliveryRollups(facts.subject, current, 'dead', 'pending') : [],
    restate: [current.transactionId],
  });
  if (envelope === undefined) return replayed;
  const next: Envelope = {
    ...envelope,
    id: current.transactionId,
    council: current.council,
    idempotencykey: stored?.idempotencykey ?? envelope.idempotencykey,
  };
  audit.payloadHash = payloadHash(next);
  return { ...replayed, envelope: next };
}

/** Discarding dead delivery `current`; undefined (nothing changes) when it is not dead. */
export function discardTransition(current: StoredDelivery, action: DeadLetterAction, facts?: RollupFacts): Transition | undefined {
  if (current.state !== 'dead') return undefined;
  const { actor, reason, now } = action;
  return transition({
    deliveries: [{ ...current, state: 'discarded', updatedAt: now.toISOString() }],
    audit: [
      {
        council: current.council,
        actor,
        action: 'dlq.discard',
        transactionId: current.transactionId,
        deliveryId: current.id,
        details: { reason, target: current.target },
      },
    ],
    rollups: facts ? deliveryRollups(facts.subject, current, 'dead', 'discarded') : [],
    restate: [current.transactionId],
  });
}

/**
 * Purging a transaction's payload (retention): only once every delivery is at rest. 'pending' is the
 * only unfinished state: delivered, dead, discarded and skipped are all at rest. Undefined (kept)
 * while a delivery is pending; else the audit entry that records the purge (the transaction row and
 * its audit stay).
 */
export function purgeTransition(candidate: { id: string; council: string; pending: boolean }): AuditInput | undefined {
  if (candidate.pending) return undefined;
  return { council: candidate.council, actor: 'system', action: 'transaction.purged', transactionId: candidate.id };
}
