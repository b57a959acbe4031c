import type { Channel } from '@lgx/core';
import type { Store, StoredApiKey } from '@lgx/runtime';
import type { ApiKeyRecord, KeyStore, Scope } from '../types';

/** How often the store's key change counter is read, at most: a new or revoked key is seen this soon (plus one query). */
export const KEY_REFRESH_MS = 250;
/** Lookups kept between changes; past this the cache starts again (a flood of unknown ids cannot grow it). */
const MAX_CACHED = 10_000;

function recordOf(key: StoredApiKey): ApiKeyRecord {
  const record: ApiKeyRecord = {
    id: key.id,
    council: key.council,
    scopes: key.scopes as Scope[],
    hash: key.hash,
    createdAt: key.createdAt,
  };
  if (key.label !== undefined) record.label = key.label;
  if (key.channel !== undefined) record.channel = key.channel as Channel;
  if (key.revokedAt !== undefined) record.revokedAt = key.revokedAt;
  return record;
}

function storedOf(record: ApiKeyRecord): StoredApiKey {
  const key: StoredApiKey = {
    id: record.id,
    council: record.council,
    scopes: [...record.scopes],
    hash: record.hash,
    createdAt: record.createdAt,
  };
  if (record.label !== undefined) key.label = record.label;
  if (record.channel !== undefined) key.channel = record.channel;
  if (record.revokedAt !== undefined) key.revokedAt = record.revokedAt;
  return key;
}

/**
 * API keys in the store (SQLite or PostgreSQL), so every process on it sees the same keys. Lookups
 * are cached; the cache is dropped whenever the store's change counter has moved, which is read at
 * most every `refreshMs` (default 250 ms): a key created or revoked through any process works, or
 * stops, everywhere within that time plus one query. `close()` closes the store when `ownsStore`.
 */
export function createStoreKeyStore(
  store: Store,
  options: { refreshMs?: number; ownsStore?: boolean } = {},
): KeyStore & { close(): Promise<void> } {
  const refreshMs = options.refreshMs ?? KEY_REFRESH_MS;
  let cache = new Map<string, ApiKeyRecord | undefined>();
  let version: number | undefined;
  let checkedAt = -Infinity;
  let checking: Promise<void> | undefined;
  // Bumped whenever the cache is dropped: a lookup that began before a change must not cache what it read.
  let generation = 0;

  const drop = (): void => {
    cache = new Map();
    generation += 1;
  };

  const fresh = (): Promise<void> => {
    if (Date.now() - checkedAt < refreshMs) return Promise.resolve();
    checking ??= (async () => {
      try {
        const now = await store.apiKeysVersion();
        if (now !== version) drop();
        version = now;
        checkedAt = Date.now();
      } finally {
        checking = undefined;
      }
    })();
    return checking;
  };

  return {
    async find(id) {
      await fresh();
      if (cache.has(id)) return cache.get(id);
      const seen = generation;
      const stored = await store.findApiKey(id);
      const record = stored && recordOf(stored);
      if (seen === generation) {
        if (cache.size >= MAX_CACHED) drop();
        cache.set(id, record);
      }
      return record;
    },
    async list() {
      return (await store.listApiKeys()).map(recordOf);
    },
    async add(record) {
      await store.addApiKey(storedOf(record));
      drop();
      checkedAt = -Infinity;
    },
    async revoke(id, now = new Date()) {
      const done = await store.revokeApiKey(id, now);
      drop();
      checkedAt = -Infinity;
      return done;
    },
    async close() {
      if (options.ownsStore) await store.close();
    },
  };
}
