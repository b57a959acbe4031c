import { LgxError } from '@lgx/core';
import { CouncilKeyring } from '../crypto/council-keyring';
import { parseKeyEncryptionKey } from '../crypto/key-encryption-key';
import { subjectHash } from '../crypto/subject-terms';
import { createReadModel } from '../read/read-model';
import type { TransactionView } from '../read/read-types';
import type { TransactionState } from '../read/transaction-state';
import type { ErasedTransaction, ReclaimedSpace } from '../store/store-erasure';
import type { AuditEntry, Store } from '../store/store-types';
import { forwardErasure, type BackOffices, type ForwardedErasure } from './forward-erasure';
import { personalDataEraser } from './personal-data-eraser';
import { parseSubjectSelector, type SubjectQuery, type SubjectSelector } from './subject-selector';

/** The most transactions one subject request reads (a larger match is refused as too broad). */
export const MAX_SUBJECT_TRANSACTIONS = 10_000;

export interface SubjectRequestsOptions {
  /** The store, as opened (its own proxies or a stack's sealing store both do). */
  store: Store;
  council: string;
  /**
   * The stack's resolved `encryption.key`. Without one the store holds no subject index, and every
   * request throws LGX_ERR_SUBJECT_NO_INDEX.
   */
  encryptionKey: string | undefined;
  /**
   * The stack's back offices: after a local erasure, each one that received a record of the subject
   * and declares 'erase' for its type is asked to erase it too. Without them nothing is passed on.
   */
  backOffices?: BackOffices;
}

/** One transaction held about a subject, as `find` lists it: no personal data. */
export interface SubjectMatch {
  id: string;
  type: string;
  state: TransactionState;
  createdAt: string;
  /** Its payload was removed by retention (only its row and audit are left). */
  purged: boolean;
}

/** Everything held about a subject, opened: what `export` returns. */
export interface SubjectExport {
  council: string;
  /** What the subject was found by (the kind only: the value is the requester's to keep). */
  foundBy: SubjectQuery['kind'];
  exportedAt: string;
  /** Each transaction in full: envelope, deliveries with their attempts (dead letters included), status updates. */
  transactions: TransactionView[];
  /** The audit entries about these transactions, in chain order. */
  audit: AuditEntry[];
}

/** What an erasure did. */
export interface SubjectErasure {
  council: string;
  transactions: ErasedTransaction[];
  space: ReclaimedSpace;
  /** Per record delivered to a back office: whether it was erased there too (see ForwardedErasure). */
  forwarded: ForwardedErasure[];
}

/** Who asks, and through what, for the audit chain. */
export interface SubjectRequester {
  /** `key:<id>` for an API key; a staff id (never a name) for the CLI. */
  actor: string;
  via: 'api' | 'console' | 'cli';
}

export interface SubjectRequests {
  /** The subject's transactions, found through the subject index (nothing is decrypted), oldest first. */
  find(selector: SubjectSelector): Promise<SubjectMatch[]>;
  /** Everything held about the subject, opened; recorded in the audit chain as a personal-data read first. */
  export(selector: SubjectSelector, requester: SubjectRequester): Promise<SubjectExport>;
  /**
   * Replaces the subject's personal data everywhere the store holds it, one transaction at a time
   * (a second run after a crash finishes what the first left), then makes the freed space unreadable
   * where the database allows. A subject with nothing held left is no error: the erasure is empty.
   * Without `confirmed: true` nothing changes (LGX_ERR_SUBJECT_CONFIRM).
   */
  erase(selector: SubjectSelector, requester: SubjectRequester & { confirmed: boolean }): Promise<SubjectErasure>;
}

/**
 * Subject access and erasure for one council (UK GDPR Articles 15 and 17), through the subject index
 * of keyed hashes: a search computes the hashes of what it is given under each of the council's index
 * keys and reads the matching rows, so it costs the same whatever the store holds.
 */
export async function openSubjectRequests(options: SubjectRequestsOptions): Promise<SubjectRequests> {
  const { store, council } = options;
  if (options.encryptionKey === undefined)
    throw new LgxError(
      'LGX_ERR_SUBJECT_NO_INDEX',
      'subject requests need the stack encryption.key: without it no subject index is kept (see the data protection guide)',
      { details: { council } },
    );
  if (typeof council !== 'string' || (await store.listDataKeys(council)).length === 0)
    throw new LgxError(
      'LGX_ERR_SUBJECT_COUNCIL',
      `council: ${String(council)} holds no data keys in this store (not a council it serves, or stored without encryption)`,
      { details: { field: 'council', council } },
    );
  const keyring = await CouncilKeyring.open({ council, store, kek: parseKeyEncryptionKey(options.encryptionKey) });
  const reader = createReadModel({ store, council, opener: keyring });

  const findIds = async (selector: SubjectSelector): Promise<string[]> => {
    const query = parseSubjectSelector(selector);
    await keyring.fresh();
    const hashes = keyring.indexKeys().map((key) => subjectHash(key, query.kind, query.normalised));
    const ids = await store.findSubjectTransactions(council, hashes, MAX_SUBJECT_TRANSACTIONS + 1);
    if (ids.length > MAX_SUBJECT_TRANSACTIONS)
      throw new LgxError(
        'LGX_ERR_SUBJECT_SELECTOR',
        `${query.kind} matches more than ${MAX_SUBJECT_TRANSACTIONS} transactions: name the subject by something that is theirs alone`,
        { details: { field: query.kind } },
      );
    return ids;
  };

  const find = async (selector: SubjectSelector): Promise<SubjectMatch[]> => {
    const ids = await findIds(selector);
    if (ids.length === 0) return [];
    const page = await reader.list({ ids, limit: MAX_SUBJECT_TRANSACTIONS });
    return page
      .map(({ transaction, state }) => ({
        id: transaction.id,
        type: transaction.type,
        state,
        createdAt: transaction.createdAt,
        purged: transaction.envelope === undefined,
      }))
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
  };

  return {
    find,

    async export(selector, requester) {
      const query = parseSubjectSelector(selector);
      const matches = await find(selector);
      const transactions: TransactionView[] = [];
      const audit: AuditEntry[] = [];
      for (const match of matches) {
        const view = await reader.get(match.id, { personalData: true });
        if (view) transactions.push(view);
        audit.push(...(await reader.listAudit({ transactionId: match.id })));
      }
      // Recorded before anything is handed back: a read the chain cannot record is not shown.
      await reader.recordPersonalDataRead({ actor: requester.actor, via: requester.via, transactionIds: matches.map((m) => m.id) });
      audit.sort((a, b) => a.seq - b.seq);
      return { council, foundBy: query.kind, exportedAt: new Date().toISOString(), transactions, audit };
    },

    async erase(selector, requester) {
      const ids = await findIds(selector);
      if (requester.confirmed !== true)
        throw new LgxError('LGX_ERR_SUBJECT_CONFIRM', 'confirm: erasing a subject is final; confirm it (--yes, or "confirm": "erase")', {
          details: { field: 'confirm', transactions: ids.length },
        });
      const transactions: ErasedTransaction[] = [];
      for (const id of ids) {
        const erased = await store.eraseTransaction({
          transactionId: id,
          actor: requester.actor,
          erase: personalDataEraser,
          now: new Date(),
        });
        if (erased) transactions.push(erased);
      }
      // Run every time, so a run after a crash between the last erasure and this still clears the WAL.
      const space = await store.reclaimErasedSpace();
      const forwarded = options.backOffices ? await forwardErasure(store, options.backOffices, transactions, requester.actor) : [];
      return { council, transactions, space, forwarded };
    },
  };
}
