import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Every sealed value is a string starting with this, then the data key id and base64url(iv | ciphertext | tag). */
export const SEALED_PREFIX = 'lgx:enc:v1:';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Whether a stored value is a sealed one. */
export const isSealed = (value: unknown): value is string => typeof value === 'string' && value.startsWith(SEALED_PREFIX);

/** The data key id a sealed value names (undefined for anything else). */
export function sealedKeyId(value: string): string | undefined {
  if (!isSealed(value)) return undefined;
  const end = value.indexOf(':', SEALED_PREFIX.length);
  return end < 0 ? undefined : value.slice(SEALED_PREFIX.length, end);
}

/**
 * Encrypts one value (any JSON value, kept as its JSON text so a number or an address comes back as
 * it went in) with AES-256-GCM under a data key and a fresh random IV. `context` is authenticated
 * with it (the transaction and the field's path): a sealed value copied to another field or
 * transaction does not open.
 */
export function sealValue(key: Buffer, keyId: string, value: unknown, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return `${SEALED_PREFIX}${keyId}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
}

/** The value inside a sealed one; throws (the caller names the transaction) when the key or context is wrong, or the text changed. */
export function openValue(key: Buffer, sealed: string, context: string): unknown {
  const raw = Buffer.from(sealed.slice(sealed.indexOf(':', SEALED_PREFIX.length) + 1), 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('sealed value is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
  const text = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  return JSON.parse(text) as unknown;
}
