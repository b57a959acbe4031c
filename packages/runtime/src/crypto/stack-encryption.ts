import { LgxError, type AdapterDefinition, type Logger } from '@lgx/core';
import type { StackDefinition } from '../stack/stack-types';
import type { Store } from '../store/store-types';
import { CouncilKeyring } from './council-keyring';
import { parseKeyEncryptionKey } from './key-encryption-key';
import { sealingStore } from './sealing-store';
import { looserMode } from '../store/file-mode';

/** Types that carry bank details (sort code and account number): never stored without encryption. */
export const BANK_DETAIL_TYPES: readonly string[] = ['revenues.directDebitMandate'];

/** The bank-detail types some route of the stack sends to an adapter that declares them. */
function routedBankDetailTypes(definition: StackDefinition, adapters: Record<string, Pick<AdapterDefinition, 'capabilities'>>): string[] {
  return BANK_DETAIL_TYPES.filter((type) =>
    definition.routes.some(
      (route) =>
        (route.match.type === undefined || route.match.type === type) &&
        [...route.targets, ...(route.shadow ?? [])].some((target) => adapters[target]?.capabilities.some((c) => c.type === type)),
    ),
  );
}

/**
 * The store a stack writes through: with `encryption.key`, one that seals personal data under the
 * council's data keys (created on first start) and the keyring that opens it; without, the store as
 * it is, after a warning, unless the stack routes bank details, which it refuses (LGX_ERR_CRYPTO_KEY_REQUIRED).
 */
export async function stackEncryption(
  definition: StackDefinition,
  adapters: Record<string, Pick<AdapterDefinition, 'capabilities'>>,
  store: Store,
  logger: Logger,
  options: { refreshMs?: number } = {},
): Promise<{ store: Store; keyring: CouncilKeyring | undefined }> {
  if (definition.encryption === undefined) {
    const bank = routedBankDetailTypes(definition, adapters);
    if (bank.length > 0) {
      throw new LgxError(
        'LGX_ERR_CRYPTO_KEY_REQUIRED',
        `the stack routes ${bank.join(', ')} (bank details) but has no encryption.key: add a key-encryption key (lgx keys generate) to the stack file`,
        { details: { types: bank } },
      );
    }
    logger.warn('personal data is stored without encryption: set encryption.key in the stack file (see the data protection guide)', {
      council: definition.council,
    });
    return { store, keyring: undefined };
  }
  const { file } = definition.encryption;
  const loose = file === undefined ? undefined : looserMode(file);
  if (loose !== undefined)
    logger.warn(`the key-encryption key file is open to other users (mode ${loose.toString(8)}): run chmod 600 on it`, { file });
  const kek = parseKeyEncryptionKey(definition.encryption.key);
  const keyring = await CouncilKeyring.open({ council: definition.council, store, kek, ...options });
  return { store: sealingStore(store, keyring), keyring };
}
