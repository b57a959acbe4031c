import type { QueryResult } from 'pg';
import { API_KEY_COLUMNS, apiKeyOfRow, apiKeyValues, type StoreApiKeys } from './store-api-keys';

interface Queryable {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/** The PostgreSQL store's API keys (see StoreApiKeys), in the schema `s` (quoted). */
export function postgresApiKeyMethods(
  pool: Queryable,
  s: string,
  transaction: <R>(fn: (db: Queryable) => Promise<R>) => Promise<R>,
): StoreApiKeys {
  const select = `SELECT ${API_KEY_COLUMNS.join(', ')} FROM ${s}.api_keys`;
  const bump = `UPDATE ${s}.api_key_version SET version = version + 1 WHERE id = 1`;
  return {
    async findApiKey(id) {
      const found = await pool.query(`${select} WHERE id = $1`, [id]);
      return found.rows[0] && apiKeyOfRow(found.rows[0]);
    },
    async listApiKeys(options = {}) {
      const found =
        options.council === undefined
          ? await pool.query(`${select} ORDER BY created_at, id`)
          : await pool.query(`${select} WHERE council = $1 ORDER BY created_at, id`, [options.council]);
      return found.rows.map(apiKeyOfRow);
    },
    async addApiKey(key) {
      return transaction(async (db) => {
        const added = await db.query(
          `INSERT INTO ${s}.api_keys (${API_KEY_COLUMNS.join(', ')}) VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
          apiKeyValues(key),
        );
        if ((added.rowCount ?? 0) === 0) return false;
        await db.query(bump);
        return true;
      });
    },
    async revokeApiKey(id, now) {
      return transaction(async (db) => {
        const done = await db.query(`UPDATE ${s}.api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, [now, id]);
        if ((done.rowCount ?? 0) === 0) return false;
        await db.query(bump);
        return true;
      });
    },
    async apiKeysVersion() {
      const found = await pool.query<{ version: string }>(`SELECT version FROM ${s}.api_key_version WHERE id = 1`);
      return Number(found.rows[0]?.version ?? 0);
    },
  };
}
