import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { LgxError } from '@lgx/core';
import type { KeyEncryptionKey } from './key-encryption-key';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What ties a wrapped data key to its council and id: a wrapped key moved to another row does not open. */
const wrapContext = (council: string, id: string): Buffer => Buffer.from(`lgx data key v1|${council}|${id}`, 'utf8');

/** A data key wrapped with AES-256-GCM under the key-encryption key: base64 of iv, ciphertext and tag. */
export function wrapDataKey(kek: KeyEncryptionKey, council: string, id: string, dataKey: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', kek.key, iv);
  cipher.setAAD(wrapContext(council, id));
  const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
}

/** The data key inside `wrapped`; a wrong key-encryption key or a changed row is a clear error. */
export function unwrapDataKey(kek: KeyEncryptionKey, council: string, id: string, wrapped: string, wrappedBy: string): Buffer {
  if (wrappedBy !== kek.id) {
    throw new LgxError(
      'LGX_ERR_CRYPTO_KEY_MISMATCH',
      `data key ${id} of council ${council} was wrapped by key-encryption key ${wrappedBy}, not by the one configured (${kek.id})`,
      { details: { council, dataKey: id, wrappedBy, configured: kek.id } },
    );
  }
  const raw = Buffer.from(wrapped, 'base64');
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek.key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(wrapContext(council, id));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
  } catch (cause) {
    throw new LgxError(
      'LGX_ERR_CRYPTO_KEY_MISMATCH',
      `data key ${id} of council ${council} does not open with the configured key-encryption key`,
      {
        details: { council, dataKey: id },
        cause,
      },
    );
  }
}
