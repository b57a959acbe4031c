import { chmodSync, closeSync, openSync, statSync } from 'node:fs';

/** Owner read and write only: the database holds citizens' personal data. */
export const DATABASE_FILE_MODE = 0o600;

/** The files SQLite keeps for one database in WAL mode. */
function databaseFiles(file: string): string[] {
  return [file, `${file}-wal`, `${file}-shm`];
}

/**
 * Makes a SQLite database owner-only before SQLite opens it: a new file is created with `mode`, and
 * existing files (the database, its `-wal` and `-shm`) that grant more are tightened to it. SQLite
 * creates `-wal` and `-shm` with the database file's own permissions, so they follow. A file owned by
 * another user cannot be changed (EPERM) and is left for its owner's process to tighten.
 * Returns the files whose mode was tightened.
 */
export function secureDatabaseFile(file: string, mode: number = DATABASE_FILE_MODE): string[] {
  if (file === '' || file === ':memory:' || file.startsWith('file:')) return [];
  // 'a' creates the file if missing (with `mode`, under the umask) and never truncates one that exists.
  closeSync(openSync(file, 'a', mode));
  const tightened: string[] = [];
  for (const path of databaseFiles(file)) {
    let current: number;
    try {
      current = statSync(path).mode & 0o777;
    } catch {
      continue;
    }
    if ((current & ~mode) === 0) continue;
    try {
      chmodSync(path, current & mode);
      tightened.push(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
    }
  }
  return tightened;
}

/**
 * The mode of `file` when it grants more than `mode` (others or its group may read a secret), else
 * undefined (also when it cannot be read: whoever reads it next says why). For files LGX reads but
 * does not own, such as the operator's key file: it warns rather than changing them.
 */
export function looserMode(file: string, mode: number = DATABASE_FILE_MODE): number | undefined {
  try {
    const current = statSync(file).mode & 0o777;
    return (current & ~mode) === 0 ? undefined : current;
  } catch {
    return undefined;
  }
}
