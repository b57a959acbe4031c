import { existsSync } from 'node:fs';
import { createStoreKeyStore, type KeyStore } from '@lgx/gateway';
import { createSqliteStore } from '@lgx/runtime';
import { dataPaths, openKeys, openStore } from './context';
import type { Io } from './output';

/** Where a command's API keys are, and how to let go of them. */
export interface KeySource {
  keys: KeyStore;
  /** Said in messages: `keys.json`, or the store. */
  where: string;
  close(): Promise<void>;
}

/**
 * The API keys of a deployment, one rule for `lgx serve` and `lgx keys`: on PostgreSQL
 * (`--database`) the store's, shared by every node; on SQLite `<data>/keys.json` while it exists or
 * nothing else holds keys (the single-node case), and the store in `<data>/lgx.db` once
 * `lgx keys import` has moved them there (it renames keys.json to keys.json.imported).
 */
export async function openKeySource(dataDir: string, database: string | undefined, io?: Pick<Io, 'err'>): Promise<KeySource> {
  const paths = dataPaths(dataDir);
  if (database !== undefined) {
    const store = openStore(dataDir, database, io);
    try {
      await store.migrate();
    } catch (error) {
      await store.close().catch(() => undefined);
      throw error;
    }
    const keys = createStoreKeyStore(store, { ownsStore: true });
    return { keys, where: 'the PostgreSQL store', close: () => keys.close() };
  }
  const file = (): KeySource => ({ keys: openKeys(dataDir, io), where: paths.keys, close: async () => undefined });
  if (existsSync(paths.keys) || !existsSync(paths.db)) return file();
  const store = createSqliteStore({ file: paths.db });
  await store.migrate();
  if ((await store.apiKeysVersion()) === 0) {
    await store.close();
    return file();
  }
  const keys = createStoreKeyStore(store, { ownsStore: true });
  return { keys, where: paths.db, close: () => keys.close() };
}

/** keys.json, or what `lgx keys import` renamed it to. */
export function keyFileToImport(dataDir: string): string | undefined {
  const { keys } = dataPaths(dataDir);
  if (existsSync(keys)) return keys;
  return existsSync(`${keys}.imported`) ? `${keys}.imported` : undefined;
}
