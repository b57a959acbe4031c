import type { Envelope, StatusUpdate } from '@lgx/core';
import type { SubjectHash } from '../crypto/subject-terms';

/** A council's data key as the store keeps it: wrapped by the operator's key-encryption key, never in the clear. */
export interface DataKeyRecord {
  id: string;
  council: string;
  /** base64 of the AES-256-GCM wrapped key (see crypto/data-key-wrap.ts). */
  wrapped: string;
  /** The id of the key-encryption key that wrapped it. */
  wrappedBy: string;
  createdAt: string;
}

/** What a write of sealed personal data tells the store: the data key used, and the subject index entries. */
export interface Sealing {
  keyId: string;
  /** Keyed hashes of the transaction's searchable values (none for a status update). */
  hashes?: readonly SubjectHash[];
}

/** A stored row whose personal data is sealed under a data key being retired. */
export type SealedRow =
  /** `envelope` undefined: purged by retention, only its key reference is left to clear. */
  | { table: 'transactions'; id: string; council: string; envelope: Envelope | undefined }
  | { table: 'status_updates'; id: number; target: string; update: StatusUpdate };

/** A sealed row written again under another key, only if it still holds what was read (`from`). */
export type ResealedRow =
  | { table: 'transactions'; id: string; from: Envelope | undefined; envelope: Envelope | undefined; sealing: Sealing | undefined }
  | { table: 'status_updates'; id: number; from: StatusUpdate; update: StatusUpdate; keyId: string };

/**
 * The store's side of field encryption: the councils' wrapped data keys, the rows sealed under each
 * (found by an index, so re-encryption reads in batches whatever the table's size), and the subject
 * index of keyed hashes.
 */
export interface StoreKeys {
  /** A council's data keys, oldest first. */
  listDataKeys(council: string): Promise<DataKeyRecord[]>;
  addDataKey(key: DataKeyRecord): Promise<void>;
  /**
   * Forgets a data key no transaction or status update is sealed under any more (its subject index
   * entries left from purged transactions go with it). Resolves false, and keeps it, while one is.
   */
  removeDataKey(id: string): Promise<boolean>;
  /** Up to `limit` rows sealed under `keyId`: transactions first, then status updates. */
  listSealedRows(keyId: string, limit: number): Promise<SealedRow[]>;
  /**
   * Writes rows sealed again, in one database transaction, each only if it still holds what was read
   * (a row changed since, e.g. a replay with an edited envelope, is left for the next batch); a
   * transaction's subject index entries are replaced with the new ones. Resolves how many changed.
   */
  resealRows(rows: readonly ResealedRow[]): Promise<number>;
  /** Ids of a council's transactions whose subject index holds any of these hashes, up to `limit`. */
  findSubjectTransactions(council: string, hashes: readonly string[], limit: number): Promise<string[]>;
}
