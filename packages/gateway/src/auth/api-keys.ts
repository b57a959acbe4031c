import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CHANNELS, type Channel } from '@lgx/core';
import type { ApiKeyRecord, KeyStore, Scope } from '../types';

/** Every scope a key can hold. `admin` implies the others. */
export const SCOPES: readonly Scope[] = ['submit', 'read', 'operator', 'personal-data', 'admin'];

/**
 * Other names a scope is known by: `read:personal` is the `personal-data` scope (the name the data
 * protection guide also uses). A key is stored with the scope's own name.
 */
export const SCOPE_ALIASES: Readonly<Record<'read:personal', Scope>> = { 'read:personal': 'personal-data' };

/** A scope's name or one of its aliases. */
export type ScopeName = Scope | keyof typeof SCOPE_ALIASES;

/** The scope a name (or alias) stands for, or undefined for no scope. */
export function scopeNamed(name: string): Scope | undefined {
  if (SCOPES.includes(name as Scope)) return name as Scope;
  return Object.hasOwn(SCOPE_ALIASES, name) ? SCOPE_ALIASES[name as keyof typeof SCOPE_ALIASES] : undefined;
}

/** `lgx_` + 12 hex characters of key id + `.` + 43 base64url characters of secret. */
const KEY_PATTERN = /^lgx_([0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

function hashSecret(secret: string): string {
  // The secret is 256 random bits, so a plain SHA-256 cannot be brute-forced; a slow hash would only
  // slow every request down.
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * Creates a key for a council and stores its hash. The key itself is returned once and never stored:
 * whoever loses it creates a new one.
 */
export async function createApiKey(
  store: KeyStore,
  options: { council: string; scopes?: ScopeName[]; label?: string; channel?: Channel; now?: Date },
): Promise<{ key: string; record: ApiKeyRecord }> {
  const scopes = [
    ...new Set<Scope>(
      (options.scopes ?? ['submit', 'read']).map((name) => {
        const scope = scopeNamed(String(name));
        if (!scope) throw new TypeError(`unknown scope '${String(name)}' (scopes: ${SCOPES.join(', ')}; read:personal is personal-data)`);
        return scope;
      }),
    ),
  ];
  if (options.channel !== undefined && !CHANNELS.includes(options.channel))
    throw new TypeError(`unknown channel '${String(options.channel)}' (channels: ${CHANNELS.join(', ')})`);
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const record: ApiKeyRecord = {
    id,
    council: options.council,
    scopes,
    hash: hashSecret(secret),
    createdAt: (options.now ?? new Date()).toISOString(),
  };
  if (options.label !== undefined) record.label = options.label;
  if (options.channel !== undefined) record.channel = options.channel;
  await store.add(record);
  return { key: `lgx_${id}.${secret}`, record };
}

/** The stored record for a presented key, or undefined when the key is malformed, unknown or revoked. */
export async function verifyApiKey(store: KeyStore, presented: string): Promise<ApiKeyRecord | undefined> {
  const match = KEY_PATTERN.exec(presented);
  if (!match) return undefined;
  const record = await store.find(match[1]!);
  if (!record || record.revokedAt !== undefined) return undefined;
  const expected = Buffer.from(record.hash, 'hex');
  const actual = Buffer.from(hashSecret(match[2]!), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual) ? record : undefined;
}

/** Whether a key may see personal data unmasked (the `personal-data` scope, or `admin`). */
export function showsPersonalData(record: ApiKeyRecord): boolean {
  return hasScope(record, 'personal-data');
}

/** Whether a key's scopes allow `needed`. */
export function hasScope(record: ApiKeyRecord, needed: Scope): boolean {
  return record.scopes.includes('admin') || record.scopes.includes(needed);
}
