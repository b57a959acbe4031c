import type { Envelope, Receipt, StatusUpdate } from '@lgx/core';
import type { AttemptRecord, AuditEntry, DeliveryState, RouteMode, StoredDelivery, StoredStatusUpdate, StoredTransaction } from './store-types';

/** Rows as better-sqlite3 returns them: column name -> value (SQL NULL is null). */
export interface TransactionRow {
  id: string;
  council: string;
  type: string;
  idempotency_key: string;
  envelope: string | null;
  created_at: string;
  purged_at: string | null;
}

export interface DeliveryRow {
  id: string;
  transaction_id: string;
  council: string;
  target: string;
  mode: string;
  link_order: number;
  state: string;
  attempts: number;
  next_attempt_at: string;
  lease_owner: string | null;
  lease_expires_at: string | null;
  last_error: string | null;
  receipt: string | null;
  created_at: string;
  updated_at: string;
}

export interface AttemptRow {
  attempt: number;
  started_at: string;
  finished_at: string;
  outcome: string;
  classification: string | null;
  code: string | null;
  message: string | null;
}

export interface AuditRow {
  council: string;
  seq: number;
  at: string;
  actor: string;
  action: string;
  transaction_id: string | null;
  delivery_id: string | null;
  payload_hash: string | null;
  details: string | null;
  prev_hash: string;
  hash: string;
}

export interface StatusUpdateRow {
  id: number;
  transaction_id: string | null;
  target: string;
  body: string;
  received_at: string;
}

export function toTransaction(row: TransactionRow): StoredTransaction {
  const stored: StoredTransaction = {
    id: row.id,
    council: row.council,
    type: row.type,
    idempotencyKey: row.idempotency_key,
    envelope: row.envelope === null ? undefined : (JSON.parse(row.envelope) as Envelope),
    createdAt: row.created_at,
  };
  if (row.purged_at !== null) stored.purgedAt = row.purged_at;
  return stored;
}

export function toDelivery(row: DeliveryRow): StoredDelivery {
  const delivery: StoredDelivery = {
    id: row.id,
    transactionId: row.transaction_id,
    council: row.council,
    target: row.target,
    mode: row.mode as RouteMode,
    order: row.link_order,
    state: row.state as DeliveryState,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.lease_owner !== null) delivery.leaseOwner = row.lease_owner;
  if (row.lease_expires_at !== null) delivery.leaseExpiresAt = row.lease_expires_at;
  if (row.last_error !== null) delivery.lastError = JSON.parse(row.last_error) as NonNullable<StoredDelivery['lastError']>;
  if (row.receipt !== null) delivery.receipt = JSON.parse(row.receipt) as Receipt;
  return delivery;
}

export function toAttempt(row: AttemptRow): AttemptRecord {
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
}

export function toAuditEntry(row: AuditRow): AuditEntry {
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
  if (row.details !== null) entry.details = JSON.parse(row.details) as Record<string, unknown>;
  return entry;
}

export function toStatusUpdate(row: StatusUpdateRow): StoredStatusUpdate {
  const stored: StoredStatusUpdate = {
    id: row.id,
    target: row.target,
    update: JSON.parse(row.body) as StatusUpdate,
    receivedAt: row.received_at,
  };
  if (row.transaction_id !== null) stored.transactionId = row.transaction_id;
  return stored;
}
