import { LgxError } from '@lgx/core';
import { CouncilKeyring } from '../crypto/council-keyring';
import { parseKeyEncryptionKey } from '../crypto/key-encryption-key';
import { sealingStore } from '../crypto/sealing-store';
import type { Store } from '../store/store-types';
import { createReadModel } from './read-model';
import type { StackReader } from './read-types';
import type { UnitCosts } from './report';

/** A read model on a store of its own: close() closes the store. */
export interface ReadModel extends StackReader {
  close(): Promise<void>;
}

export interface OpenReadModelOptions {
  store: Store;
  /** The council whose pages, dead letters and audit chain it reads (`get` reads any council's). */
  council?: string;
  /** Unit costs for the reports' cost measures (a stack file's `reporting.unitCosts`); none by default. */
  unitCosts?: UnitCosts;
  /**
   * The stack's key-encryption key (its resolved `encryption.key`), with `council`: personal data is
   * opened for reads that ask for it, and an edited envelope replayed from the dead-letter queue is
   * sealed. Without it, personal data stays masked, and replaying an edited envelope of a council
   * whose data is encrypted is refused (it would be stored in the clear).
   */
  encryptionKey?: string;
}

/** The store as a reader without the key may change it: no edited envelope goes in unsealed. */
function refusingEditedReplays(store: Store, council: string): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'replayDeadLetter')
        return (deliveryId: string, options: Parameters<Store['replayDeadLetter']>[1]) => {
          if (options.envelope === undefined) return target.replayDeadLetter(deliveryId, options);
          throw new LgxError(
            'LGX_ERR_CRYPTO_KEY_REQUIRED',
            `council ${council}'s personal data is encrypted: replaying an edited envelope needs the stack's encryption.key`,
            { details: { council } },
          );
        };
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Opens the read side of a store without a stack: transaction views, pages, status updates, the
 * dead-letter queue, the audit chain and a health probe, with no adapter loaded and no secret needed
 * (for commands such as `lgx status` and `lgx dlq`). The store is migrated first; a replayed dead
 * letter is delivered by whichever worker runs on the store.
 */
export async function openReadModel(options: OpenReadModelOptions): Promise<ReadModel> {
  try {
    await options.store.migrate();
  } catch (error) {
    await options.store.close();
    throw error;
  }
  const { council, encryptionKey } = options;
  let store = options.store;
  let opener: CouncilKeyring | undefined;
  try {
    if (council !== undefined && encryptionKey !== undefined) {
      opener = await CouncilKeyring.open({ council, store, kek: parseKeyEncryptionKey(encryptionKey) });
      store = sealingStore(store, opener);
    } else if (council !== undefined && (await store.listDataKeys(council)).length > 0) store = refusingEditedReplays(store, council);
  } catch (error) {
    await options.store.close();
    throw error;
  }
  return { ...createReadModel({ ...options, store, ...(opener ? { opener } : {}) }), close: () => options.store.close() };
}
