import { redact, redactTransaction, REDACTED, schemaRegistry, type Envelope, type StatusUpdate } from '@lgx/core';
import { openSealedFields } from '../crypto/sealed-fields';
import type { StoredStatusUpdate, StoredTransaction } from '../store/store-types';

/** Whether a read shows personal data. Default: masked. */
export interface PersonalDataOption {
  /**
   * true: personal fields as given (decrypted where the store holds them sealed); false or absent:
   * every field the canonical schemas mark as personal data (or secret) masked.
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

/** How a read model shows stored transactions and status updates: masked, or opened where asked. */
export function personalDataView(opener: PersonalDataOpener | undefined) {
  return {
    async transaction(t: StoredTransaction, personal: boolean | undefined): Promise<StoredTransaction> {
      if (t.envelope === undefined) return t;
      if (!personal) return { ...t, envelope: redactTransaction(t.envelope) };
      return { ...t, envelope: opener ? await opener.openEnvelope(t.envelope, t.id) : maskSealed(t.envelope) };
    },
    async statusUpdate<U extends StoredStatusUpdate>(u: U, personal: boolean | undefined): Promise<U> {
      if (!personal) return { ...u, update: redact(u.update, schemaRegistry().get('statusUpdate').schema) };
      return { ...u, update: opener ? await opener.openStatusUpdate(u.target, u.update, u.id) : maskSealed(u.update) };
    },
  };
}
