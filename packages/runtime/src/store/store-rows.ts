import type { Envelope, Receipt, StatusUpdate } from '@lgx/core';
import type {
  AttemptRecord,
  AuditEntry,
  DeliveryState,
  LeasedDelivery,
  QueueDepth,
  RouteMode,
  StoredDelivery,
  StoredStatusUpdate,
  StoredTransaction,
  WorkerRecord,
} from './store-types';

/** A timestamp column as a driver gives it: ISO-8601 text (SQLite) or a Date (pg, timestamptz). */
type DbTime = string | Date;
/** A JSON column as a driver gives it: text (SQLite) or the parsed value (pg, jsonb). */
type DbJson = string | object;
/** A BIGINT column: pg gives it as a decimal string. */
type DbInteger = number | string;

/**
 * What differs between the drivers' rows. The tables have the same columns in both stores; only
 * these column types come back in another form.
 */
export interface RowNormaliser {
  json<T>(value: DbJson): T;
  time(value: DbTime): string;
  integer(value: DbInteger): number;
  /** A boolean expression's value (SQLite has no boolean type: 0 or 1). */
  flag(value: boolean | number): boolean;
}

export const SQLITE_ROWS: RowNormaliser = {
  json: <T>(value: DbJson) => JSON.parse(value as string) as T,
  time: (value) => value as string,
  integer: (value) => value as number,
  flag: (value) => value === 1 || value === true,
};

export const POSTGRES_ROWS: RowNormaliser = {
  json: <T>(value: DbJson) => value as T,
  time: (value) => (value as Date).toISOString(),
  integer: (value) => Number(value),
  flag: (value) => value === true,
};

/** Rows as the drivers give them: column name -> value (SQL NULL is null). */
interface TransactionRow {
  id: string;
  council: string;
  type: string;
  idempotency_key: string;
  envelope: DbJson | null;
  created_at: DbTime;
  purged_at: DbTime | null;
}

interface DeliveryRow {
  id: string;
  transaction_id: string;
  council: string;
  target: string;
  mode: string;
  link_order: number;
  state: string;
  attempts: number;
  next_attempt_at: DbTime;
  lease_owner: string | null;
  lease_expires_at: DbTime | null;
  last_error: DbJson | null;
  receipt: DbJson | null;
  created_at: DbTime;
  updated_at: DbTime;
}

/** A delivery row read with its transaction's envelope (null once purged). */
type DeliveryWithEnvelopeRow = DeliveryRow & { envelope: DbJson | null };

interface AttemptRow {
  attempt: number;
  started_at: string;
  finished_at: string;
  outcome: string;
  classification: string | null;
  code: string | null;
  message: string | null;
}

interface AuditRow {
  council: string;
  seq: number;
  at: string;
  actor: string;
  action: string;
  transaction_id: string | null;
  delivery_id: string | null;
  payload_hash: string | null;
  details: DbJson | null;
  prev_hash: string;
  hash: string;
}

interface StatusUpdateRow {
  id: DbInteger;
  transaction_id: string | null;
  target: string;
  body: DbJson;
  received_at: DbTime;
}

interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  lease_ms: number;
  started_at: DbTime;
  heartbeat_at: DbTime;
}

/**
 * Maps one driver's rows to the Store interface's records. Each takes a row as the driver gives it
 * (`SELECT *` of its table, or the query named), so the stores need not know the row shapes.
 */
export interface RowMapper {
  transaction(row: unknown): StoredTransaction;
  delivery(row: unknown): StoredDelivery;
  /** A delivery read with its transaction's envelope (`DeliveryWithEnvelopeRow`: the leasing queries read only rows not purged). */
  leasable(row: unknown): LeasedDelivery;
  attempt(row: unknown): AttemptRecord;
  audit(row: unknown): AuditEntry;
  statusUpdate(row: unknown): StoredStatusUpdate;
  worker(row: unknown): WorkerRecord;
  /** Pending counts per target (`{ target, pending }` rows, those with a zero count left out by the query). */
  queueDepth(rows: readonly unknown[]): QueueDepth;
}

/** The one row mapper, for a driver's normaliser: both stores read their rows through it. */
export function rowMapper(n: RowNormaliser): RowMapper {
  const delivery = (raw: unknown): StoredDelivery => {
    const row = raw as DeliveryRow;
    const mapped: StoredDelivery = {
      id: row.id,
      transactionId: row.transaction_id,
      council: row.council,
      target: row.target,
      mode: row.mode as RouteMode,
      order: row.link_order,
      state: row.state as DeliveryState,
      attempts: row.attempts,
      nextAttemptAt: n.time(row.next_attempt_at),
      createdAt: n.time(row.created_at),
      updatedAt: n.time(row.updated_at),
    };
    if (row.lease_owner !== null) mapped.leaseOwner = row.lease_owner;
    if (row.lease_expires_at !== null) mapped.leaseExpiresAt = n.time(row.lease_expires_at);
    if (row.last_error !== null) mapped.lastError = n.json(row.last_error);
    if (row.receipt !== null) mapped.receipt = n.json<Receipt>(row.receipt);
    return mapped;
  };
  return {
    transaction(raw) {
      const row = raw as TransactionRow;
      const stored: StoredTransaction = {
        id: row.id,
        council: row.council,
        type: row.type,
        idempotencyKey: row.idempotency_key,
        envelope: row.envelope === null ? undefined : n.json<Envelope>(row.envelope),
        createdAt: n.time(row.created_at),
      };
      if (row.purged_at !== null) stored.purgedAt = n.time(row.purged_at);
      return stored;
    },
    delivery,
    leasable(raw) {
      return { ...delivery(raw), envelope: n.json<Envelope>((raw as DeliveryWithEnvelopeRow).envelope as DbJson) };
    },
    attempt(raw) {
      const row = raw as AttemptRow;
      const attempt: AttemptRecord = {
        attempt: row.attempt,
        startedAt: row.started_at,
        finishedAt: row.finished_at,
        outcome: row.outcome as AttemptRecord['outcome'],
      };
      if (row.classification !== null) attempt.classification = row.classification;
      if (row.code !== null) attempt.code = row.code;
      if (row.message !== null) attempt.message = row.message;
      return attempt;
    },
    audit(raw) {
      const row = raw as AuditRow;
      const entry: AuditEntry = {
        council: row.council,
        seq: row.seq,
        at: row.at,
        actor: row.actor,
        action: row.action,
        prevHash: row.prev_hash,
        hash: row.hash,
      };
      if (row.transaction_id !== null) entry.transactionId = row.transaction_id;
      if (row.delivery_id !== null) entry.deliveryId = row.delivery_id;
      if (row.payload_hash !== null) entry.payloadHash = row.payload_hash;
      if (row.details !== null) entry.details = n.json(row.details);
      return entry;
    },
    statusUpdate(raw) {
      const row = raw as StatusUpdateRow;
      const stored: StoredStatusUpdate = {
        id: n.integer(row.id),
        target: row.target,
        update: n.json<StatusUpdate>(row.body),
        receivedAt: n.time(row.received_at),
      };
      if (row.transaction_id !== null) stored.transactionId = row.transaction_id;
      return stored;
    },
    worker(raw) {
      const row = raw as WorkerRow;
      return {
        id: row.id,
        host: row.host,
        pid: row.pid,
        leaseMs: row.lease_ms,
        startedAt: n.time(row.started_at),
        heartbeatAt: n.time(row.heartbeat_at),
      };
    },
    queueDepth(rows) {
      const byTarget: Record<string, number> = {};
      let total = 0;
      for (const row of rows as ReadonlyArray<{ target: string; pending: DbInteger }>) {
        const pending = n.integer(row.pending);
        byTarget[row.target] = pending;
        total += pending;
      }
      return { total, byTarget };
    },
  };
}
