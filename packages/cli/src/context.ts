import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createFileKeyStore } from '@lgx/gateway';
import { createPostgresStore, createSqliteStore, loadStack, openStack, type OpenStackOptions, type RunningStack, type StackDefinition, type Store } from '@lgx/runtime';

export const DEFAULT_STACK = 'lgx.yaml';
export const DEFAULT_DATA = '.lgx-data';

/** The files a data folder holds: the SQLite store and the API keys. */
export function dataPaths(dataDir: string): { dir: string; db: string; keys: string } {
  const dir = path.resolve(dataDir);
  return { dir, db: path.join(dir, 'lgx.db'), keys: path.join(dir, 'keys.json') };
}

/**
 * The store: PostgreSQL when `database` is a postgres:// URL (several gateway processes can share it),
 * else SQLite in the data folder.
 */
export function openStore(dataDir: string, database?: string): Store {
  if (database !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(database)) throw new TypeError('--database must be a postgres:// connection URL');
    return createPostgresStore({ connectionString: database });
  }
  const { dir, db } = dataPaths(dataDir);
  mkdirSync(dir, { recursive: true });
  return createSqliteStore({ file: db });
}

export function openKeys(dataDir: string) {
  return createFileKeyStore(dataPaths(dataDir).keys);
}

/** Loads a stack file; adapters are resolved from the stack file's folder. */
export async function loadStackFile(file: string): Promise<{ definition: StackDefinition; resolveFrom: string }> {
  const resolved = path.resolve(file);
  return { definition: await loadStack(resolved), resolveFrom: path.dirname(resolved) };
}

/** Opens a stack file on the data folder's store. */
export async function openStackFile(file: string, dataDir: string, options: Partial<OpenStackOptions> = {}, database?: string): Promise<RunningStack> {
  const { definition, resolveFrom } = await loadStackFile(file);
  return openStack(definition, { store: openStore(dataDir, database), resolveFrom, ...options });
}
