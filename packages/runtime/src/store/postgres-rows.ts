import { toAttempt, type AttemptRow } from './sqlite-rows';
import type { Envelope, Receipt, StatusUpdate } from '@lgx/core';
import type { AuditEntry, DeliveryState, RouteMode, StoredDelivery, StoredStatusUpdate, StoredTransaction } from './store-types';

/**
 * Rows as pg returns them: timestamptz as Date, jsonb already parsed, BIGINT as a decimal string
 * (SQL NULL is null). The mappers give the same shapes as the SQLite store's (sqlite-rows.ts).
 */
export interface PgTransactionRow {
  id: string;
  council: string;
  type: string;
  idempotency_key: string;
  envelope: Envelope | null;
  created_at: Date;
  purged_at: Date | null;
}

export interface PgDeliveryRow {
  id: string;
  transaction_id: string;
  council: string;
  target: string;
  mode: string;
  link_order: number;
  state: string;
  attempts: number;
  next_attempt_at: Date;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  last_error: NonNullable<StoredDelivery['lastError']> | null;
  receipt: Receipt | null;
  created_at: Date;
  updated_at: Date;
}

/** Attempt rows have the same columns and types in both stores. */
export type PgAttemptRow = AttemptRow;

export interface PgAuditRow {
  council: string;
  seq: number;
  at: string;
  actor: string;
  action: string;
  transaction_id: string | null;
  delivery_id: string | null;
  payload_hash: string | null;
  details: Record<string, unknown> | null;
  prev_hash: string;
  hash: string;
}

export interface PgStatusUpdateRow {
  id: string;
  transaction_id: string | null;
  target: string;
  body: StatusUpdate;
  received_at: Date;
}

export function toTransaction(row: PgTransactionRow): StoredTransaction {
  const stored: StoredTransaction = {
    id: row.id,
    council: row.council,
    type: row.type,
    idempotencyKey: row.idempotency_key,
    envelope: row.envelope ?? undefined,
    createdAt: row.created_at.toISOString(),
  };
  if (row.purged_at !== null) stored.purgedAt = row.purged_at.toISOString();
  return stored;
}

export function toDelivery(row: PgDeliveryRow): StoredDelivery {
  const delivery: StoredDelivery = {
    id: row.id,
    transactionId: row.transaction_id,
    council: row.council,
    target: row.target,
    mode: row.mode as RouteMode,
    order: row.link_order,
    state: row.state as DeliveryState,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at.toISOString(),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
  if (row.lease_owner !== null) delivery.leaseOwner = row.lease_owner;
  if (row.lease_expires_at !== null) delivery.leaseExpiresAt = row.lease_expires_at.toISOString();
  if (row.last_error !== null) delivery.lastError = row.last_error;
  if (row.receipt !== null) delivery.receipt = row.receipt;
  return delivery;
}

export { toAttempt };

export function toAuditEntry(row: PgAuditRow): AuditEntry {
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
  if (row.details !== null) entry.details = row.details;
  return entry;
}

export function toStatusUpdate(row: PgStatusUpdateRow): StoredStatusUpdate {
  const stored: StoredStatusUpdate = {
    id: Number(row.id),
    target: row.target,
    update: row.body,
    receivedAt: row.received_at.toISOString(),
  };
  if (row.transaction_id !== null) stored.transactionId = row.transaction_id;
  return stored;
}
