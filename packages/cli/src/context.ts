import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createFileKeyStore } from '@lgx/gateway';
import {
  createPostgresStore,
  createSqliteStore,
  loadStack,
  loadStackOutline,
  loadStackEncryptionKey,
  openReadModel,
  openStack,
  type OpenStackOptions,
  type ReadModel,
  type RunningStack,
  type StackDefinition,
  type StackOutline,
  type Store,
} from '@lgx/runtime';
import type { Io } from './output';

export const DEFAULT_STACK = 'lgx.yaml';
export const DEFAULT_DATA = '.lgx-data';

/** The files a data folder holds: the SQLite store and the API keys. */
export function dataPaths(dataDir: string): { dir: string; db: string; keys: string } {
  const dir = path.resolve(dataDir);
  return { dir, db: path.join(dir, 'lgx.db'), keys: path.join(dir, 'keys.json') };
}

/** Owner only: the folder holds the database (citizens' personal data) and the API key hashes. */
const DATA_FOLDER_MODE = 0o700;

const octal = (mode: number): string => `0${mode.toString(8)}`;

/**
 * Creates the data folder owner-only, or tightens one that already exists with access for the group
 * or others (tightened rather than warned about: a warning scrolls past in a journal while the data
 * stays readable, and only the process's own user needs the folder). Says so on stderr when it changes
 * a mode, or when it cannot because another user owns the folder.
 */
export function prepareDataFolder(dataDir: string, io?: Pick<Io, 'err'>): string {
  const { dir } = dataPaths(dataDir);
  mkdirSync(dir, { recursive: true, mode: DATA_FOLDER_MODE });
  const mode = statSync(dir).mode & 0o777;
  if ((mode & ~DATA_FOLDER_MODE) === 0) return dir;
  try {
    chmodSync(dir, mode & DATA_FOLDER_MODE);
    io?.err(
      `note: data folder ${dir} was open to other users (${octal(mode)}); it is now ${octal(mode & DATA_FOLDER_MODE)}, owner only, as it holds personal data`,
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
    io?.err(
      `warning: data folder ${dir} is open to other users (${octal(mode)}) and belongs to another user: run chmod 700 ${dir} as its owner`,
    );
  }
  return dir;
}

/**
 * The store: PostgreSQL when `database` is a postgres:// URL (several gateway processes can share it),
 * else SQLite in the data folder (the database files owner-only, 0600).
 */
export function openStore(dataDir: string, database?: string, io?: Pick<Io, 'err'>): Store {
  if (database !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(database)) throw new TypeError('--database must be a postgres:// connection URL');
    return createPostgresStore({ connectionString: database });
  }
  prepareDataFolder(dataDir, io);
  return createSqliteStore({ file: dataPaths(dataDir).db });
}

/** The API keys of a data folder. A folder that exists is tightened; a new one is made 0700 by the first key. */
export function openKeys(dataDir: string, io?: Pick<Io, 'err'>) {
  const { dir, keys } = dataPaths(dataDir);
  if (existsSync(dir)) prepareDataFolder(dataDir, io);
  return createFileKeyStore(keys);
}

/** Loads a stack file; adapters are resolved from the stack file's folder. */
export async function loadStackFile(file: string): Promise<{ definition: StackDefinition; resolveFrom: string }> {
  const resolved = path.resolve(file);
  return { definition: await loadStack(resolved), resolveFrom: path.dirname(resolved) };
}

/** Opens a stack file on the data folder's store. */
export async function openStackFile(
  file: string,
  dataDir: string,
  options: Partial<OpenStackOptions> = {},
  database?: string,
): Promise<RunningStack> {
  const { definition, resolveFrom } = await loadStackFile(file);
  return openStack(definition, { store: openStore(dataDir, database), resolveFrom, ...options });
}

/**
 * The read side of a stack file, for commands that read the store or work its dead-letter queue
 * alone: the stack's outline, checked but with no secret resolved and no adapter loaded, so they work
 * where the adapters' secrets are not set; and the runtime's read model for its council (with the
 * stack file's unit costs, for the reports' cost measures).
 */
export async function openStackReader(
  file: string,
  dataDir: string,
  database?: string,
  io?: Pick<Io, 'err'>,
): Promise<{ outline: StackOutline; reader: ReadModel }> {
  const outline = await loadStackOutline(path.resolve(file));
  const unitCosts = outline.reporting?.unitCosts;
  // The key opens personal data where it is set; a reader without it (its variable unset here) masks it.
  const encryptionKey = await loadStackEncryptionKey(path.resolve(file)).then(
    (found) => found.key,
    () => undefined,
  );
  return {
    outline,
    reader: await openReadModel({
      store: openStore(dataDir, database, io),
      council: outline.council,
      ...(unitCosts ? { unitCosts } : {}),
      ...(encryptionKey ? { encryptionKey } : {}),
    }),
  };
}
