import type { QueryResult } from 'pg';
import type { Envelope, StatusUpdate } from '@lgx/core';
import { ROW_WRITES } from './row-writes';
import type { Sealing, StoreKeys } from './store-keys';

interface Queryable {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/** Writes a transaction's key reference and subject index entries, inside the caller's transaction (schema `s`, quoted). */
export async function writePostgresSealing(
  db: Queryable,
  s: string,
  council: string,
  transactionId: string,
  sealing: Sealing,
): Promise<void> {
  await db.query(`UPDATE ${s}.transactions SET key_id = $1 WHERE id = $2`, [sealing.keyId, transactionId]);
  const hashes = sealing.hashes ?? [];
  if (hashes.length === 0) return;
  await db.query(
    `INSERT INTO ${s}.subject_index (council, hash, transaction_id, kind, key_id)
     SELECT $1, h, $2, k, $3 FROM unnest($4::text[], $5::text[]) AS u(h, k) ON CONFLICT DO NOTHING`,
    [council, transactionId, sealing.keyId, hashes.map((h) => h.hash), hashes.map((h) => h.kind)],
  );
}

/** The PostgreSQL store's data keys, sealed rows and subject index, for the schema `s` (quoted). */
export function postgresKeyMethods(
  pool: Queryable,
  s: string,
  transaction: <R>(fn: (db: Queryable) => Promise<R>) => Promise<R>,
): StoreKeys {
  return {
    async listDataKeys(council) {
      const found = await pool.query<{ id: string; council: string; wrapped: string; wrapped_by: string; created_at: Date }>(
        `SELECT id, council, wrapped, wrapped_by, created_at FROM ${s}.data_keys WHERE council = $1 ORDER BY created_at, id`,
        [council],
      );
      return found.rows.map((r) => ({
        id: r.id,
        council: r.council,
        wrapped: r.wrapped,
        wrappedBy: r.wrapped_by,
        createdAt: r.created_at.toISOString(),
      }));
    },

    async addDataKey(key) {
      await pool.query(
        `INSERT INTO ${s}.data_keys (${ROW_WRITES.dataKey.columns.join(', ')}) VALUES ($1, $2, $3, $4, $5)`,
        ROW_WRITES.dataKey.values(key),
      );
    },

    async removeDataKey(id) {
      return transaction(async (db) => {
        // Locked first, so a writer that read the key cannot seal a row under it while it goes.
        if ((await db.query(`SELECT 1 FROM ${s}.data_keys WHERE id = $1 FOR UPDATE`, [id])).rows.length === 0) return false;
        if ((await db.query(`SELECT 1 FROM ${s}.transactions WHERE key_id = $1 LIMIT 1`, [id])).rows.length > 0) return false;
        if ((await db.query(`SELECT 1 FROM ${s}.status_updates WHERE key_id = $1 LIMIT 1`, [id])).rows.length > 0) return false;
        await db.query(`DELETE FROM ${s}.subject_index WHERE key_id = $1`, [id]);
        return ((await db.query(`DELETE FROM ${s}.data_keys WHERE id = $1`, [id])).rowCount ?? 0) > 0;
      });
    },

    async listSealedRows(keyId, limit) {
      const found = await pool.query<{ id: string; council: string; envelope: Envelope | null }>(
        `SELECT id, council, envelope FROM ${s}.transactions WHERE key_id = $1 ORDER BY id LIMIT $2`,
        [keyId, limit],
      );
      const transactions = found.rows.map((r) => ({
        table: 'transactions' as const,
        id: r.id,
        council: r.council,
        envelope: r.envelope ?? undefined,
      }));
      if (transactions.length >= limit) return transactions;
      const updates = await pool.query<{ id: string; target: string; body: StatusUpdate }>(
        `SELECT id, target, body FROM ${s}.status_updates WHERE key_id = $1 ORDER BY id LIMIT $2`,
        [keyId, limit - transactions.length],
      );
      return [
        ...transactions,
        ...updates.rows.map((r) => ({ table: 'status_updates' as const, id: Number(r.id), target: r.target, update: r.body })),
      ];
    },

    async resealRows(rows) {
      return transaction(async (db) => {
        let changed = 0;
        for (const row of rows) {
          if (row.table === 'status_updates') {
            const result = await db.query(`UPDATE ${s}.status_updates SET body = $1, key_id = $2 WHERE id = $3 AND body = $4::jsonb`, [
              JSON.stringify(row.update),
              row.keyId,
              row.id,
              JSON.stringify(row.from),
            ]);
            changed += result.rowCount ?? 0;
            continue;
          }
          const result =
            row.from === undefined
              ? await db.query<{ council: string }>(
                  `UPDATE ${s}.transactions SET key_id = NULL WHERE id = $1 AND envelope IS NULL RETURNING council`,
                  [row.id],
                )
              : await db.query<{ council: string }>(
                  `UPDATE ${s}.transactions SET envelope = $1, key_id = $2 WHERE id = $3 AND envelope = $4::jsonb RETURNING council`,
                  [
                    row.envelope === undefined ? null : JSON.stringify(row.envelope),
                    row.sealing?.keyId ?? null,
                    row.id,
                    JSON.stringify(row.from),
                  ],
                );
          const council = result.rows[0]?.council;
          if (council === undefined) continue;
          changed += 1;
          await db.query(`DELETE FROM ${s}.subject_index WHERE transaction_id = $1`, [row.id]);
          if (row.sealing) await writePostgresSealing(db, s, council, row.id, row.sealing);
        }
        return changed;
      });
    },

    async findSubjectTransactions(council, hashes, limit) {
      if (hashes.length === 0) return [];
      const found = await pool.query<{ transaction_id: string }>(
        `SELECT DISTINCT transaction_id FROM ${s}.subject_index WHERE council = $1 AND hash = ANY($2::text[]) ORDER BY transaction_id LIMIT $3`,
        [council, [...hashes], limit],
      );
      return found.rows.map((r) => r.transaction_id);
    },
  };
}
