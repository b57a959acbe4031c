import { REDACTED, type Envelope, type StatusUpdate } from '@lgx/core';
import { openSealedFields } from '../crypto/sealed-fields';
import type { StoredStatusUpdate, StoredTransaction } from '../store/store-types';
import { maskStatusUpdateViews, maskTransactionSummary, maskTransactionView } from './personal-data-mask';
import type { StatusUpdateView, TransactionSummary, TransactionView } from './read-types';

/** Whether a read shows personal data. Default: masked. */
export interface PersonalDataOption {
  /**
   * true: personal fields as given (decrypted where the store holds them sealed); false or absent:
   * every field the canonical schemas mark as personal data (or secret) masked, and the
   * transaction's personal values scrubbed from free texts (as `maskTransactionView`).
   */
  personalData?: boolean;
}

/** What opens sealed values: the stack's council keyring. */
export interface PersonalDataOpener {
  openEnvelope(envelope: Envelope, transactionId: string): Promise<Envelope>;
  openStatusUpdate(target: string, update: StatusUpdate, id?: number): Promise<StatusUpdate>;
}

/** Sealed values a reader without the key cannot open are shown masked. */
const maskSealed = <T>(value: T): T => openSealedFields(value, '', () => REDACTED) as T;

/** Whether masking a view has free texts to scrub of the transaction's personal values (which needs them opened). */
function hasFreeText(view: TransactionView): boolean {
  return (
    view.statusUpdates.length > 0 ||
    view.deliveries.some((d) => d.lastError !== undefined || d.receipt?.attributes !== undefined || d.attemptLog?.some((a) => a.message))
  );
}

/**
 * How a read model shows stored transactions and status updates: opened where personal data is
 * asked for; else masked by the one masking path (personal-data-mask.ts) that the gateway, console
 * and CLI use. A masked read opens nothing the masking does not need: marked fields are masked as
 * stored (sealed or not), and the envelope is opened only when a free text must be scrubbed of its
 * values; status updates are never opened.
 */
export function personalDataView(opener: PersonalDataOpener | undefined) {
  const open = async (t: StoredTransaction): Promise<StoredTransaction> => {
    if (t.envelope === undefined) return t;
    return { ...t, envelope: opener ? await opener.openEnvelope(t.envelope, t.id) : maskSealed(t.envelope) };
  };
  const openUpdate = async <U extends StoredStatusUpdate>(u: U): Promise<U> => ({
    ...u,
    update: opener ? await opener.openStatusUpdate(u.target, u.update, u.id) : maskSealed(u.update),
  });
  return {
    /** A transaction's view from its stored rows. */
    async view(stored: TransactionView, personal: boolean | undefined): Promise<TransactionView> {
      if (!personal) return maskTransactionView(hasFreeText(stored) ? { ...stored, transaction: await open(stored.transaction) } : stored);
      const statusUpdates = await Promise.all(stored.statusUpdates.map(openUpdate));
      const latestStatus = statusUpdates[statusUpdates.length - 1];
      return { ...stored, transaction: await open(stored.transaction), statusUpdates, ...(latestStatus ? { latestStatus } : {}) };
    },
    /** A page item from its stored rows. */
    async summary(stored: TransactionSummary, personal: boolean | undefined): Promise<TransactionSummary> {
      if (!personal)
        return maskTransactionSummary(stored.latestStatus ? { ...stored, transaction: await open(stored.transaction) } : stored);
      const latestStatus = stored.latestStatus && (await openUpdate(stored.latestStatus));
      return { ...stored, transaction: await open(stored.transaction), ...(latestStatus ? { latestStatus } : {}) };
    },
    /** Status updates from their stored rows; `transactions` holds each one's stored transaction. */
    async statusUpdates(
      stored: readonly StatusUpdateView[],
      transactions: ReadonlyMap<string, StoredTransaction>,
      personal: boolean | undefined,
    ): Promise<StatusUpdateView[]> {
      if (personal) return Promise.all(stored.map(openUpdate));
      const opened = new Map<string, StoredTransaction>();
      for (const id of new Set(stored.map((u) => u.transactionId))) {
        const transaction = transactions.get(id);
        if (transaction) opened.set(id, await open(transaction));
      }
      return maskStatusUpdateViews(stored, opened);
    },
  };
}
