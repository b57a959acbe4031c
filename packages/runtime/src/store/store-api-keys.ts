/**
 * An API key as the store keeps it: only the SHA-256 of its secret, never the key. The gateway owns
 * what the fields mean (scopes, channels); the store keeps them as given.
 */
export interface StoredApiKey {
  /** Public key id (12 hex characters), the primary key: a lookup is one index search. */
  id: string;
  council: string;
  scopes: string[];
  /** Hex SHA-256 of the key's secret part. */
  hash: string;
  label?: string;
  channel?: string;
  createdAt: string;
  revokedAt?: string;
}

/**
 * The store's API keys, shared by every process on the store, with a change counter that every add
 * and revoke moves on in the same database transaction, so a process that caches keys learns of a
 * change by reading one row.
 */
export interface StoreApiKeys {
  /** The key with this id (revoked or not), or undefined. */
  findApiKey(id: string): Promise<StoredApiKey | undefined>;
  /** Keys, oldest first; only one council's when given. */
  listApiKeys(options?: { council?: string }): Promise<StoredApiKey[]>;
  /** Adds a key; resolves false and changes nothing when a key with its id is already stored. */
  addApiKey(key: StoredApiKey): Promise<boolean>;
  /** Revokes a live key; false when there was no such live key. */
  revokeApiKey(id: string, now: Date): Promise<boolean>;
  /** The change counter: moves on with every key added or revoked. */
  apiKeysVersion(): Promise<number>;
}

/** A stored key's columns, in one order for both dialects' writes. */
export const API_KEY_COLUMNS = ['id', 'council', 'scopes', 'hash', 'label', 'channel', 'created_at', 'revoked_at'] as const;

export function apiKeyValues(key: StoredApiKey): Array<string | null> {
  return [
    key.id,
    key.council,
    JSON.stringify(key.scopes),
    key.hash,
    key.label ?? null,
    key.channel ?? null,
    key.createdAt,
    key.revokedAt ?? null,
  ];
}

/** A row of api_keys back as a key (times as ISO strings from either dialect). */
export function apiKeyOfRow(row: Record<string, unknown>): StoredApiKey {
  const iso = (value: unknown): string => (value instanceof Date ? value.toISOString() : String(value));
  const scopes: unknown = typeof row.scopes === 'string' ? JSON.parse(row.scopes) : row.scopes;
  const key: StoredApiKey = {
    id: String(row.id),
    council: String(row.council),
    scopes: Array.isArray(scopes) ? scopes.map(String) : [],
    hash: String(row.hash),
    createdAt: iso(row.created_at),
  };
  if (row.label !== null && row.label !== undefined) key.label = String(row.label);
  if (row.channel !== null && row.channel !== undefined) key.channel = String(row.channel);
  if (row.revoked_at !== null && row.revoked_at !== undefined) key.revokedAt = iso(row.revoked_at);
  return key;
}
