import { redact, redactTransaction, schemaRegistry, type StatusUpdate } from '@lgx/core';
import type { StoredTransaction } from '@lgx/runtime';

/**
 * The envelope as the console shows it: with the `personal-data` scope (or `admin`) as stored; without
 * it, every field the canonical schemas mark as personal data (or secret) masked, and the whole `data`
 * masked when its schema is unknown.
 */
export function shownEnvelope(transaction: StoredTransaction, personalData: boolean): unknown {
  if (transaction.envelope === undefined) return undefined;
  return personalData ? transaction.envelope : redactTransaction(transaction.envelope);
}

/** A status update as the console shows it: its free text (`description`) is personal data. */
export function shownStatusUpdate(update: StatusUpdate, personalData: boolean): StatusUpdate {
  return personalData ? update : redact(update, schemaRegistry().get('statusUpdate').schema);
}
