import type { Envelope, Receipt, StatusUpdate } from '@lgx/core';

/** What a transaction's personal data becomes when its subject is erased: pure functions, applied inside the store's write. */
export interface PersonalDataEraser {
  /** The envelope with every personal field replaced by the erased marker. */
  envelope(envelope: Envelope): Envelope;
  /** A status update with its personal text replaced. */
  statusUpdate(update: StatusUpdate): StatusUpdate;
  /** A receipt with its personal fields replaced (its reference kept: the back office needs it to erase too). */
  receipt(receipt: Receipt): Receipt;
  /** What an attempt's or a dead letter's error message becomes. */
  message: string;
}

/** One transaction's erasure, as the store did it. */
export interface ErasedTransaction {
  transactionId: string;
  council: string;
  type: string;
  /** Deliveries that were queued and are dead letters now (reason `erased`), never to be sent. */
  deadLettered: string[];
  /** Deliveries that reached their back office (with their receipts' references): those to pass the erasure on to. */
  delivered: Array<{ deliveryId: string; target: string; externalRef?: string }>;
  statusUpdates: number;
  attempts: number;
}

/** What is left of erased values in the database's files once the erasure is committed. */
export interface ReclaimedSpace {
  /** Whether every copy the store can reach was removed (SQLite: the WAL emptied; PostgreSQL: the tables vacuumed). */
  complete: boolean;
  /** What remains and where, when not complete, or what the database keeps regardless. */
  note: string;
}

/**
 * The store's side of erasing a subject: each transaction in one database transaction (so a crash
 * leaves every transaction either erased or as it was, and a second run finishes the rest), then
 * the space the old values held made unreadable.
 */
export interface StoreErasure {
  /**
   * In one database transaction: the envelope, the status updates' bodies and the receipts passed
   * through `erase`, every attempt's and dead letter's message replaced, queued deliveries made dead
   * letters with reason `erased` (fallback links not yet tried are discarded), the subject index rows
   * removed, and a 'subject.erased' audit entry by `actor` (ids and counts, never values). The
   * reporting rollups move a queued delivery to dead, as any dead letter does; nothing else in them
   * changes. Undefined for an unknown transaction.
   */
  eraseTransaction(input: {
    transactionId: string;
    actor: string;
    erase: PersonalDataEraser;
    now: Date;
  }): Promise<ErasedTransaction | undefined>;
  /** Makes the space erased values held unreadable where the database allows it (see ReclaimedSpace). */
  reclaimErasedSpace(): Promise<ReclaimedSpace>;
}
