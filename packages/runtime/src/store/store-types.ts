import type { Envelope, Receipt, StatusUpdate } from '@lgx/core';
import type { StatusRefreshClaim, StatusRefreshClaimInput, StatusRefreshSettlement } from './status-refresh-types';
import type { StoreBatchReads } from './store-batch-reads';
import type { RollupBucketRow, RollupDayRow, RollupQuery } from './rollup-sql';
import type { Sealing, StoreKeys } from './store-keys';
import type { StoreApiKeys } from './store-api-keys';
import type { StoreErasure } from './store-erasure';

/** What a delivery is doing. `dead` deliveries are the dead-letter queue. */
export type DeliveryState = 'pending' | 'delivered' | 'dead' | 'discarded' | 'skipped';

/** How a route delivers to its targets. */
export type RouteMode = 'one' | 'all' | 'fallback' | 'shadow';

/** One delivery to create with a transaction: a target adapter instance and its place in the route. */
export interface NewDelivery {
  id: string;
  /** The stack's adapter instance id, e.g. 'waste-echo'. */
  target: string;
  mode: RouteMode;
  /** Position in a fallback chain (0 first). Later links start `skipped` until an earlier one dies. */
  order: number;
  /** Initial state: `pending` (deliver now) or `skipped` (a fallback link waiting its turn). */
  state: 'pending' | 'skipped';
}

/** An audit record before it is chained. */
export interface AuditInput {
  council: string;
  /** Who did it: 'system', a key id, or a person's id (never their name). */
  actor: string;
  /** What happened, e.g. 'transaction.accepted', 'delivery.dead', 'dlq.replay'. */
  action: string;
  transactionId?: string;
  deliveryId?: string;
  /** SHA-256 of the canonical payload involved (never the payload). */
  payloadHash?: string;
  /** Non-personal details (codes, counts, reasons). */
  details?: Record<string, unknown>;
}

/** A chained audit record as stored. */
export interface AuditEntry extends AuditInput {
  /** Position in the council's chain, from 1. */
  seq: number;
  at: string;
  prevHash: string;
  hash: string;
}

export interface NewTransaction {
  envelope: Envelope;
  deliveries: NewDelivery[];
  /**
   * Audit entry written in the same database transaction. Its `payloadHash`, when given, is recorded
   * as it is (the caller has hashed the payload already); without one the store hashes the envelope.
   */
  audit: Omit<AuditInput, 'council' | 'transactionId'>;
  now: Date;
  /**
   * A worker with free slots for these targets takes the new deliveries to them in the same commit
   * (a hand-off: no separate lease). Each target's delivery is leased to `owner` only if nothing of
   * that target is waiting before it (no due unleased delivery, no lease that ran out) and the
   * target holds fewer than `perTarget` live leases; the others stay pending for the leasing loop.
   */
  lease?: { owner: string; leaseMs: number; perTarget?: number; targets: readonly string[] };
  /** The envelope's personal data is sealed: under which data key, with which subject index entries. */
  sealing?: Sealing;
}

/** What insertTransaction did: the transaction's id, and the deliveries handed to the leasing worker. */
export interface InsertedTransaction {
  id: string;
  duplicate: boolean;
  /** With `lease` only: the new deliveries leased to its owner (none for a duplicate). */
  leased?: LeasedDelivery[];
}

export interface StoredTransaction {
  id: string;
  council: string;
  type: string;
  idempotencyKey: string;
  /** Undefined once purged by retention. */
  envelope: Envelope | undefined;
  createdAt: string;
  purgedAt?: string;
}

export interface AttemptRecord {
  attempt: number;
  startedAt: string;
  finishedAt: string;
  /**
   * `unknown`: the lease ran out before its worker recorded an outcome (the process died or stalled),
   * so the vendor may or may not have received the attempt; the delivery was sent again.
   */
  outcome: 'delivered' | 'failed' | 'unknown';
  classification?: string;
  code?: string;
  /** Redacted message. */
  message?: string;
}

export interface StoredDelivery {
  id: string;
  transactionId: string;
  council: string;
  target: string;
  mode: RouteMode;
  order: number;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: string;
  leaseOwner?: string;
  leaseExpiresAt?: string;
  lastError?: { classification: string; code?: string; message: string };
  receipt?: Receipt;
  createdAt: string;
  updatedAt: string;
}

/** A delivery leased to a worker, with its transaction's envelope. */
export interface LeasedDelivery extends StoredDelivery {
  envelope: Envelope;
}

/** Which of a council's transactions to list, and which page. */
export interface TransactionQuery {
  council: string;
  /** Only these types. */
  types?: string[];
  /** Only these transactions (by id). */
  ids?: string[];
  /** Only transactions sent through this channel (the envelope's `channel`, kept after a purge). */
  channel?: string;
  /** Only transactions in this state, from their deliveries (kept on the row with every change). */
  state?: 'pending' | 'delivered' | 'dead' | 'discarded';
  /** Created at or after. */
  from?: Date;
  /** Created before. */
  to?: Date;
  /** Page size. */
  limit: number;
  /** Strictly older than this (the last item of the previous page). */
  before?: { createdAt: string; id: string };
}

/** A worker's verdict on one attempt. */
export type AttemptOutcome =
  | { kind: 'delivered'; receipt: Receipt }
  | { kind: 'retry'; nextAttemptAt: Date; error: { classification: string; code?: string; message: string } }
  | { kind: 'dead'; error: { classification: string; code?: string; message: string } };

/** A delivery worker process, as it registered itself; its heartbeats keep its leases alive. */
export interface WorkerRecord {
  /** The worker's lease owner id. */
  id: string;
  /**
   * Where it runs: processes with the same host identity can see each other's process ids (same
   * machine, same boot, same PID namespace), so a dead one is known at once.
   */
  host: string;
  pid: number;
  /** How long its leases last without a heartbeat. */
  leaseMs: number;
  startedAt: string;
  heartbeatAt: string;
}

/** Deliveries per back office that arrived, are dead letters now, and are queued now. */
/** Per target: see `Store.targetActivity`. */
export type TargetActivity = Record<string, { oldestQueuedAt?: string; retrying: number; dead: number; deliveredSince: number }>;

export type DeliveryTotals = Record<string, { delivered: number; dead: number; queued: number }>;

/** Pending deliveries (waiting, scheduled for a retry, or in flight), per target and in all. */
export interface QueueDepth {
  total: number;
  byTarget: Record<string, number>;
}

export interface StoredStatusUpdate {
  id: number;
  transactionId?: string;
  target: string;
  update: StatusUpdate;
  receivedAt: string;
}

/**
 * Everything the runtime persists. One interface, one conformance suite, two implementations
 * (SQLite embedded, PostgreSQL scale-out). Every method that changes state is atomic.
 */
export interface Store extends StoreBatchReads, StoreKeys, StoreErasure, StoreApiKeys {
  /** Creates or upgrades the schema. Safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /**
   * In one database transaction: dedupe on (council, idempotency key); insert the transaction, its
   * deliveries (leasing those `lease` allows) and a chained audit entry. A repeated key returns the
   * first transaction's id.
   */
  insertTransaction(input: NewTransaction): Promise<InsertedTransaction>;
  getTransaction(id: string): Promise<StoredTransaction | undefined>;
  /**
   * A council's transactions, newest first (by creation time, then id). For the next page pass the
   * last item's `createdAt` and `id` as `before`.
   */
  listTransactions(options: TransactionQuery): Promise<StoredTransaction[]>;
  getDelivery(id: string): Promise<StoredDelivery | undefined>;
  listDeliveries(transactionId: string): Promise<StoredDelivery[]>;
  listAttempts(deliveryId: string): Promise<AttemptRecord[]>;

  /**
   * Leases up to `limit` due deliveries (state pending, next attempt due, no live lease) to `owner`
   * until now + leaseMs. Concurrent callers never get the same delivery (SKIP LOCKED on PostgreSQL).
   * `perTarget` caps how many leases each target may hold at once, counting live ones. Targets take
   * turns (round-robin, starting one further on each call), so one target's backlog never starves
   * another's; within a target the oldest due delivery goes first. A delivery whose lease ran out
   * before an outcome was recorded goes before the others: it is leased again with an attempt of
   * unknown outcome recorded and a `delivery.resent` audit entry. The cost depends on the number of
   * targets and the cap, never on how many deliveries are queued.
   */
  leaseDeliveries(options: {
    owner: string;
    limit: number;
    leaseMs: number;
    now: Date;
    targets?: string[];
    perTarget?: number;
  }): Promise<LeasedDelivery[]>;

  /**
   * Records an attempt and its outcome, only if `owner` still holds the lease (else false, and
   * nothing changes). A dead delivery that has a next fallback link turns that link pending.
   * Writes a chained audit entry for delivered and dead outcomes.
   */
  completeAttempt(input: {
    deliveryId: string;
    owner: string;
    attempt: AttemptRecord;
    outcome: AttemptOutcome;
    now: Date;
  }): Promise<boolean>;

  /** Gives a lease back without an attempt (graceful shutdown). */
  releaseLease(deliveryId: string, owner: string): Promise<void>;

  /**
   * Registers worker `worker.id` or records that it is alive, and renews its live leases to now +
   * leaseMs (leases that already ran out stay out). Resolves how many leases it renewed.
   */
  heartbeat(worker: Pick<WorkerRecord, 'id' | 'host' | 'pid' | 'leaseMs'>, now: Date): Promise<number>;
  /** Every registered worker. */
  listWorkers(): Promise<WorkerRecord[]>;
  /**
   * Forgets a worker (it stopped, or died): its live leases end now, so they stop counting against
   * per-target caps and are leased again (as re-sends) at once. Resolves how many leases ended.
   */
  releaseWorker(id: string, now: Date): Promise<number>;
  /** Pending deliveries per target, from counters kept with every change (no count over the queue). */
  queueDepth(): Promise<QueueDepth>;
  /**
   * Deliveries in flight per target: leased to a worker of any process, the lease live at `now`. Reads
   * only leased rows (a partial index), as many as the workers' concurrency, whatever the queue holds.
   */
  inFlight(now: Date): Promise<Record<string, number>>;
  /**
   * A council's back offices' activity now, for every process that shares the store: per target, the
   * creation time of its oldest pending delivery, how many pending deliveries have failed an attempt
   * (retrying), its dead letters, and how many were delivered since `since`. Counts stop at `cap`; each read uses
   * its own partial index, so its cost never grows with the table.
   */
  targetActivity(query: { council: string; targets: readonly string[]; since: Date; cap: number }): Promise<TargetActivity>;

  /** Dead letters, newest first. */
  listDeadLetters(options?: { council?: string; target?: string; limit?: number }): Promise<StoredDelivery[]>;
  /** Makes a dead delivery pending again (optionally with an edited envelope), audited. */
  replayDeadLetter(
    deliveryId: string,
    options: { actor: string; reason: string; envelope?: Envelope; sealing?: Sealing; now: Date },
  ): Promise<boolean>;
  /** Discards a dead delivery, audited. */
  discardDeadLetter(deliveryId: string, options: { actor: string; reason: string; now: Date }): Promise<boolean>;

  appendAudit(entry: AuditInput, now: Date): Promise<AuditEntry>;
  listAudit(council: string, options?: { transactionId?: string; afterSeq?: number; limit?: number }): Promise<AuditEntry[]>;

  /**
   * Stores a status update; undefined when (target, externalRef, updateId) was stored before (updates
   * without an updateId are never deduplicated). Without `update.transactionId`, the transaction is
   * the one whose delivery to `target` has a receipt with the same externalRef, if any.
   */
  saveStatusUpdate(input: { target: string; update: StatusUpdate; now: Date; keyId?: string }): Promise<StoredStatusUpdate | undefined>;
  listStatusUpdates(transactionId: string): Promise<StoredStatusUpdate[]>;
  /**
   * Status updates about a council's transactions (updates matched to no transaction are left out),
   * oldest first, with id above `afterId` and received within [`from`, `to`].
   */
  listCouncilStatusUpdates(options: {
    council: string;
    from?: Date;
    to?: Date;
    afterId?: number;
    limit: number;
  }): Promise<StoredStatusUpdate[]>;
  /**
   * Hands out, for one target, open cases to ask its back office about (delivered, with a reference,
   * latest status not final), due first: those never checked once `firstAfterMs` has passed since
   * delivery, and those whose next check is due. Cases whose latest status is final are closed on the
   * way (never handed out again). Each case handed out counts against the target's budget, kept in
   * the store for every process, and is kept from other claimers for `claimMs`. The cost depends on
   * `limit`, never on how many cases are open.
   */
  claimStatusRefresh(input: StatusRefreshClaimInput): Promise<StatusRefreshClaim>;
  /** Schedules a claimed case's next check, or closes it (`next` undefined). */
  settleStatusRefresh(input: StatusRefreshSettlement): Promise<void>;
  getCursor(name: string): Promise<string | undefined>;
  setCursor(name: string, cursor: string): Promise<void>;
  /**
   * Claims a duty that one process of several sharing the store does at a time (a target's status
   * poll, retention): true if it was free (never claimed, or its holder's time ran out) or `owner`
   * already holds it, and `owner` now holds it until `until`; false if another owner holds it. The
   * holder gives it up early by claiming it until `now` or earlier.
   */
  claimDuty(input: { duty: string; owner: string; until: Date; now: Date }): Promise<boolean>;

  /**
   * Reporting rollups: one council's day rows in a range, summed per day and the query's dimensions.
   * Kept in the transaction of every accept and delivery outcome; retention never touches them.
   */
  readRollups(query: RollupQuery): Promise<RollupDayRow[]>;
  /** The submit-to-delivered histogram of the rollups' delivery rows, per day, dimension and bucket. */
  readDeliverySeconds(query: RollupQuery): Promise<RollupBucketRow[]>;
  /** A council's delivered, dead and queued deliveries per back office, from the rollups (every process's work). */
  deliveryTotals(council: string): Promise<DeliveryTotals>;
  /**
   * Recomputes the rollups from the stored transactions (their report columns outlive the payload)
   * in one database transaction that keeps every other rollup change waiting, with a
   * 'report.rebuilt' audit entry by `actor` in each council's chain. Resolves how many transactions it read.
   */
  rebuildRollups(options: { actor: string; now: Date }): Promise<{ transactions: number }>;

  /**
   * Removes envelopes of transactions whose deliveries are all finished (none pending) and that ended
   * (came to rest: delivered, dead or discarded) before the cut-off of their type (`before` alone:
   * one cut-off for every type); the transaction row and its audit stay, with a 'transaction.purged'
   * audit entry. Returns how many were purged.
   */
  purgePayloads(before: Date | RetentionCutoffs): Promise<number>;
  /** What `purgePayloads(cutoffs)` would remove now, per type and state, without removing anything. */
  previewPurge(cutoffs: RetentionCutoffs): Promise<RetentionPreviewRow[]>;
}

/** Payloads that ended before these times go: `types` per transaction type, `before` for every other type. */
export interface RetentionCutoffs {
  before: Date;
  types?: Readonly<Record<string, Date>>;
}

/** Payloads that retention would remove, of one type and transaction state. */
export interface RetentionPreviewRow {
  type: string;
  state: string;
  count: number;
  /** The earliest and latest end times among them (ISO-8601). */
  oldestEndedAt: string;
  newestEndedAt: string;
}
