import { createHmac, randomBytes } from 'node:crypto';
import { LgxError } from '@lgx/core';

/** The operator's key-encryption key: 32 bytes, and a short id that names it without revealing it. */
export interface KeyEncryptionKey {
  readonly key: Buffer;
  /** An HMAC of a fixed label under the key: tells which key wrapped a data key, and nothing else. */
  readonly id: string;
}

const KEY_BYTES = 32;

/**
 * Reads a key-encryption key given as base64 (standard or URL-safe) of 32 random bytes, as
 * `openssl rand -base64 32` or `lgx keys generate` print it. `where` names the setting in the error;
 * the error never holds the text it was given.
 */
export function parseKeyEncryptionKey(text: string, where = 'encryption.key'): KeyEncryptionKey {
  const trimmed = text.trim();
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)
    ? Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
    : Buffer.alloc(0);
  if (key.length !== KEY_BYTES) {
    throw new LgxError(
      'LGX_ERR_CRYPTO_KEY_INVALID',
      `${where} must be ${KEY_BYTES} random bytes in base64 (44 characters, e.g. from 'openssl rand -base64 32'); the value given decodes to ${key.length} bytes`,
      { details: { field: where, rule: 'base64-32-bytes' } },
    );
  }
  return { key, id: createHmac('sha256', key).update('lgx key-encryption key id').digest('hex').slice(0, 16) };
}

/** A new key-encryption key, as base64 text to put in a secret store or environment variable. */
export function generateKeyEncryptionKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}
