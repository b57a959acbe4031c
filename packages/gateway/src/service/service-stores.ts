import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createPostgresStore, createSqliteStore, type StackDefinition, type Store } from '@lgx/runtime';
import { createFileKeyStore, createMemoryKeyStore } from '../auth/key-store';
import { createStoreKeyStore } from '../auth/store-key-store';
import type { KeyStore, ServiceOptions } from '../types';

/** Owner only: a data folder holds citizens' personal data and the API key hashes. */
const DATA_FOLDER_MODE = 0o700;

type StoreChoice = Pick<ServiceOptions, 'store' | 'database' | 'dataDir'>;

/**
 * Checks where the service keeps its data and returns how to open each stack's store. Two councils'
 * stacks must not share one store (their workers would lease each other's deliveries), so with several
 * stacks only a `store` function, giving each its own, will do.
 */
export function storesFor(options: StoreChoice, stackCount: number): (definition: StackDefinition) => Store {
  const given = (['store', 'database', 'dataDir'] as const).filter((name) => options[name] !== undefined);
  if (given.length !== 1)
    throw new TypeError(`startService: give exactly one of store, database or dataDir${given.length ? ` (got ${given.join(', ')})` : ''}`);
  const { store, database, dataDir } = options;
  if (typeof store === 'function') return store;
  if (stackCount > 1)
    throw new TypeError(`startService: ${stackCount} stacks need a store each: give store as a function of the stack's definition`);
  if (store !== undefined) return () => store;
  if (database !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(database)) throw new TypeError('startService: database must be a postgres:// connection URL');
    return () => createPostgresStore({ connectionString: database });
  }
  return () => createSqliteStore({ file: path.join(dataFolder(dataDir!), 'lgx.db') });
}

/**
 * The API keys: those given; else, on PostgreSQL, the store's (every node on the database sees the
 * same keys; the service closes this connection when it stops); else `keys.json` in the data folder;
 * else an empty key store in memory.
 */
export function keysFor(options: Pick<ServiceOptions, 'keys' | 'dataDir' | 'database'>): KeyStore {
  if (options.keys) return options.keys;
  if (options.database !== undefined && /^postgres(ql)?:\/\//.test(options.database))
    return createStoreKeyStore(createPostgresStore({ connectionString: options.database, maxConnections: 2 }), { ownsStore: true });
  if (options.dataDir !== undefined) return createFileKeyStore(path.join(dataFolder(options.dataDir), 'keys.json'));
  return createMemoryKeyStore();
}

function dataFolder(dataDir: string): string {
  const dir = path.resolve(dataDir);
  mkdirSync(dir, { recursive: true, mode: DATA_FOLDER_MODE });
  return dir;
}
