import type { StatusUpdate } from '@lgx/core';
import type { DataKeyRecord } from './store-keys';
import type { AttemptRecord, AuditEntry, StoredDelivery } from './store-types';

const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

/**
 * The write side: how each record the delivery state machine writes becomes a row, as its columns
 * and its values in that order. Both drivers take ISO-8601 text for a timestamp and JSON text for a
 * JSON column.
 */
export const ROW_WRITES = {
  /** A new delivery (no error or receipt yet). */
  newDelivery: {
    columns: [
      'id',
      'transaction_id',
      'council',
      'target',
      'mode',
      'link_order',
      'state',
      'attempts',
      'next_attempt_at',
      'lease_owner',
      'lease_expires_at',
      'created_at',
      'updated_at',
    ],
    values: (d: StoredDelivery): unknown[] => [
      d.id,
      d.transactionId,
      d.council,
      d.target,
      d.mode,
      d.order,
      d.state,
      d.attempts,
      d.nextAttemptAt,
      d.leaseOwner ?? null,
      d.leaseExpiresAt ?? null,
      d.createdAt,
      d.updatedAt,
    ],
  },
  /** Every column a transition may change; the values end with the id that finds the row. */
  delivery: {
    columns: ['state', 'attempts', 'next_attempt_at', 'lease_owner', 'lease_expires_at', 'last_error', 'receipt', 'updated_at'],
    values: (d: StoredDelivery): unknown[] => [
      d.state,
      d.attempts,
      d.nextAttemptAt,
      d.leaseOwner ?? null,
      d.leaseExpiresAt ?? null,
      json(d.lastError),
      json(d.receipt),
      d.updatedAt,
      d.id,
    ],
  },
  /** A lease taken (for a re-send, with the lost attempt counted); the values end with the id. */
  lease: {
    columns: ['attempts', 'lease_owner', 'lease_expires_at', 'last_error', 'updated_at'],
    values: (d: StoredDelivery): unknown[] => [
      d.attempts,
      d.leaseOwner ?? null,
      d.leaseExpiresAt ?? null,
      json(d.lastError),
      d.updatedAt,
      d.id,
    ],
  },
  attempt: {
    columns: ['delivery_id', 'attempt', 'started_at', 'finished_at', 'outcome', 'classification', 'code', 'message'],
    values: ({ deliveryId, attempt: a }: { deliveryId: string; attempt: AttemptRecord }): unknown[] => [
      deliveryId,
      a.attempt,
      a.startedAt,
      a.finishedAt,
      a.outcome,
      a.classification ?? null,
      a.code ?? null,
      a.message ?? null,
    ],
  },
  audit: {
    columns: ['council', 'seq', 'at', 'actor', 'action', 'transaction_id', 'delivery_id', 'payload_hash', 'details', 'prev_hash', 'hash'],
    values: (e: AuditEntry): unknown[] => [
      e.council,
      e.seq,
      e.at,
      e.actor,
      e.action,
      e.transactionId ?? null,
      e.deliveryId ?? null,
      e.payloadHash ?? null,
      json(e.details),
      e.prevHash,
      e.hash,
    ],
  },
  /** A status update as received (its text sealed under `keyId` when the stack encrypts). */
  statusUpdate: {
    columns: ['transaction_id', 'target', 'external_ref', 'update_id', 'body', 'received_at', 'key_id'],
    values: (u: {
      transactionId: string | undefined;
      target: string;
      update: StatusUpdate;
      now: Date;
      keyId: string | undefined;
    }): unknown[] => [
      u.transactionId ?? null,
      u.target,
      u.update.externalRef,
      u.update.updateId ?? null,
      JSON.stringify(u.update),
      u.now.toISOString(),
      u.keyId ?? null,
    ],
  },
  /** A council's data key, wrapped. */
  dataKey: {
    columns: ['id', 'council', 'wrapped', 'wrapped_by', 'created_at'],
    values: (k: DataKeyRecord): unknown[] => [k.id, k.council, k.wrapped, k.wrappedBy, k.createdAt],
  },
} as const;
