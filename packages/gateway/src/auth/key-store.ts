import { promises as fs, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CHANNELS, LgxError, type Channel } from '@lgx/core';
import type { ApiKeyRecord, KeyStore } from '../types';

interface KeyFile {
  version: 1;
  keys: ApiKeyRecord[];
}

const RECORD_FIELDS = ['id', 'council', 'scopes', 'hash', 'createdAt'] as const;

function parseKeyFile(text: string, file: string): KeyFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new LgxError('LGX_ERR_GATEWAY_KEY_STORE_INVALID', `${file} is not well-formed JSON`, { cause: error, details: { file } });
  }
  const keys = (parsed as Partial<KeyFile> | null)?.keys;
  if ((parsed as Partial<KeyFile> | null)?.version !== 1 || !Array.isArray(keys)) {
    throw new LgxError('LGX_ERR_GATEWAY_KEY_STORE_INVALID', `${file} must hold {"version": 1, "keys": [...]}`, { details: { file } });
  }
  keys.forEach((key, i) => {
    const missing = RECORD_FIELDS.find(
      (field) => typeof key !== 'object' || key === null || (key as unknown as Record<string, unknown>)[field] === undefined,
    );
    if (missing)
      throw new LgxError('LGX_ERR_GATEWAY_KEY_STORE_INVALID', `${file}: keys[${i}] has no '${missing}'`, { details: { file, index: i } });
    const channel = (key as { channel?: unknown }).channel;
    if (channel !== undefined && !CHANNELS.includes(channel as Channel)) {
      throw new LgxError('LGX_ERR_GATEWAY_KEY_STORE_INVALID', `${file}: keys[${i}].channel must be one of ${CHANNELS.join(', ')}`, {
        details: { file, index: i },
      });
    }
  });
  return { version: 1, keys };
}

/**
 * API keys in a JSON file (only hashes: a key is shown once, when created). The file is re-read when
 * it changes, so `lgx keys create` takes effect on a running gateway; writes replace the file
 * atomically (write then rename) with owner-only permissions.
 */
export function createFileKeyStore(file: string): KeyStore {
  let cache: { mtimeMs: number; size: number; keys: Map<string, ApiKeyRecord> } | undefined;

  function load(): Map<string, ApiKeyRecord> {
    let stat;
    try {
      stat = statSync(file);
    } catch {
      cache = undefined;
      return new Map();
    }
    if (cache && cache.mtimeMs === stat.mtimeMs && cache.size === stat.size) return cache.keys;
    // Read synchronously: the file is small and a request needs the answer before it can go on.
    const text = readFileSync(file, 'utf8');
    const keys = new Map(parseKeyFile(text, file).keys.map((k) => [k.id, k]));
    cache = { mtimeMs: stat.mtimeMs, size: stat.size, keys };
    return keys;
  }

  async function save(keys: ApiKeyRecord[]): Promise<void> {
    // Owner only, like the file: the folder usually holds the store (personal data) as well.
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    await fs.writeFile(tmp, `${JSON.stringify({ version: 1, keys }, null, 2)}\n`, { mode: 0o600 });
    await fs.rename(tmp, file);
    cache = undefined;
  }

  return {
    async find(id) {
      return load().get(id);
    },
    async list() {
      return [...load().values()];
    },
    async add(record) {
      const keys = load();
      await save([...keys.values(), record]);
    },
    async revoke(id, now = new Date()) {
      const keys = load();
      const record = keys.get(id);
      if (!record || record.revokedAt !== undefined) return false;
      await save([...keys.values()].map((k) => (k.id === id ? { ...k, revokedAt: now.toISOString() } : k)));
      return true;
    },
  };
}

/** Keys held in memory only (tests and embedded use). */
export function createMemoryKeyStore(initial: ApiKeyRecord[] = []): KeyStore {
  const keys = new Map(initial.map((k) => [k.id, k]));
  return {
    async find(id) {
      return keys.get(id);
    },
    async list() {
      return [...keys.values()];
    },
    async add(record) {
      keys.set(record.id, record);
    },
    async revoke(id, now = new Date()) {
      const record = keys.get(id);
      if (!record || record.revokedAt !== undefined) return false;
      keys.set(id, { ...record, revokedAt: now.toISOString() });
      return true;
    },
  };
}
