import type Database from 'better-sqlite3';
import { API_KEY_COLUMNS, apiKeyOfRow, apiKeyValues, type StoreApiKeys } from './store-api-keys';

const SELECT = `SELECT ${API_KEY_COLUMNS.join(', ')} FROM api_keys`;
const BUMP = 'UPDATE api_key_version SET version = version + 1 WHERE id = 1';

/** The SQLite store's API keys (see StoreApiKeys). */
export function sqliteApiKeyMethods({ prep, write }: { prep(sql: string): Database.Statement; write<R>(fn: () => R): R }): StoreApiKeys {
  return {
    async findApiKey(id) {
      const row = prep(`${SELECT} WHERE id = ?`).get(id) as Record<string, unknown> | undefined;
      return row && apiKeyOfRow(row);
    },
    async listApiKeys(options = {}) {
      const rows =
        options.council === undefined
          ? prep(`${SELECT} ORDER BY created_at, id`).all()
          : prep(`${SELECT} WHERE council = ? ORDER BY created_at, id`).all(options.council);
      return (rows as Array<Record<string, unknown>>).map(apiKeyOfRow);
    },
    async addApiKey(key) {
      return write(() => {
        const added =
          prep(`INSERT OR IGNORE INTO api_keys (${API_KEY_COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(...apiKeyValues(key))
            .changes > 0;
        if (added) prep(BUMP).run();
        return added;
      });
    },
    async revokeApiKey(id, now) {
      return write(() => {
        const done = prep('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now.toISOString(), id).changes > 0;
        if (done) prep(BUMP).run();
        return done;
      });
    },
    async apiKeysVersion() {
      return Number((prep('SELECT version FROM api_key_version WHERE id = 1').get() as { version: number }).version);
    },
  };
}
