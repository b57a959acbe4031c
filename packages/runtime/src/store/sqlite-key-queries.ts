import type Database from 'better-sqlite3';
import type { Envelope, StatusUpdate } from '@lgx/core';
import { ROW_WRITES } from './row-writes';
import type { Sealing, StoreKeys } from './store-keys';

/** What the key methods need from the SQLite store: its statement cache and a write transaction. */
export interface SqliteKeyHelpers {
  prep(sql: string): Database.Statement;
  write<R>(fn: () => R): R;
}

const INSERT_HASH = 'INSERT OR IGNORE INTO subject_index (council, hash, transaction_id, kind, key_id) VALUES (?, ?, ?, ?, ?)';

/** Writes a transaction's key reference and subject index entries, inside the caller's write transaction. */
export function writeSqliteSealing(prep: SqliteKeyHelpers['prep'], council: string, transactionId: string, sealing: Sealing): void {
  prep('UPDATE transactions SET key_id = ? WHERE id = ?').run(sealing.keyId, transactionId);
  const hashes = sealing.hashes ?? [];
  if (hashes.length === 0) return;
  // One statement for all of a transaction's hashes (a statement per hash cost more than the hashing).
  prep(`${INSERT_HASH}${', (?, ?, ?, ?, ?)'.repeat(hashes.length - 1)}`).run(
    ...hashes.flatMap((h) => [council, h.hash, transactionId, h.kind, sealing.keyId]),
  );
}

const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

/** The SQLite store's data keys, sealed rows and subject index. */
export function sqliteKeyMethods({ prep, write }: SqliteKeyHelpers): StoreKeys {
  return {
    async listDataKeys(council) {
      return (
        prep('SELECT id, council, wrapped, wrapped_by, created_at FROM data_keys WHERE council = ? ORDER BY created_at, id').all(
          council,
        ) as Array<Record<string, string>>
      ).map((r) => ({ id: r.id!, council: r.council!, wrapped: r.wrapped!, wrappedBy: r.wrapped_by!, createdAt: r.created_at! }));
    },

    async addDataKey(key) {
      write(() =>
        prep(`INSERT INTO data_keys (${ROW_WRITES.dataKey.columns.join(', ')}) VALUES (?, ?, ?, ?, ?)`).run(
          ...ROW_WRITES.dataKey.values(key),
        ),
      );
    },

    async removeDataKey(id) {
      return write(() => {
        if (prep('SELECT 1 FROM transactions WHERE key_id = ? LIMIT 1').get(id) !== undefined) return false;
        if (prep('SELECT 1 FROM status_updates WHERE key_id = ? LIMIT 1').get(id) !== undefined) return false;
        prep('DELETE FROM subject_index WHERE key_id = ?').run(id);
        return prep('DELETE FROM data_keys WHERE id = ?').run(id).changes > 0;
      });
    },

    async listSealedRows(keyId, limit) {
      const transactions = (
        prep('SELECT id, council, envelope FROM transactions WHERE key_id = ? ORDER BY id LIMIT ?').all(keyId, limit) as Array<{
          id: string;
          council: string;
          envelope: string | null;
        }>
      ).map((r) => ({
        table: 'transactions' as const,
        id: r.id,
        council: r.council,
        envelope: r.envelope === null ? undefined : (JSON.parse(r.envelope) as Envelope),
      }));
      if (transactions.length >= limit) return transactions;
      const updates = (
        prep('SELECT id, target, body FROM status_updates WHERE key_id = ? ORDER BY id LIMIT ?').all(
          keyId,
          limit - transactions.length,
        ) as Array<{
          id: number;
          target: string;
          body: string;
        }>
      ).map((r) => ({ table: 'status_updates' as const, id: r.id, target: r.target, update: JSON.parse(r.body) as StatusUpdate }));
      return [...transactions, ...updates];
    },

    async resealRows(rows) {
      return write(() => {
        let changed = 0;
        for (const row of rows) {
          if (row.table === 'status_updates') {
            changed += prep('UPDATE status_updates SET body = ?, key_id = ? WHERE id = ? AND body = ?').run(
              JSON.stringify(row.update),
              row.keyId,
              row.id,
              JSON.stringify(row.from),
            ).changes;
            continue;
          }
          // The text read back is the text written (JSON.stringify of JSON.parse keeps it), so this compares what was read.
          const result =
            row.from === undefined
              ? prep('UPDATE transactions SET key_id = NULL WHERE id = ? AND envelope IS NULL').run(row.id)
              : prep('UPDATE transactions SET envelope = ?, key_id = ? WHERE id = ? AND envelope = ?').run(
                  json(row.envelope),
                  row.sealing?.keyId ?? null,
                  row.id,
                  JSON.stringify(row.from),
                );
          if (result.changes === 0) continue;
          changed += 1;
          const council = (prep('SELECT council FROM transactions WHERE id = ?').get(row.id) as { council: string }).council;
          prep('DELETE FROM subject_index WHERE transaction_id = ?').run(row.id);
          if (row.sealing)
            for (const h of row.sealing.hashes ?? []) prep(INSERT_HASH).run(council, h.hash, row.id, h.kind, row.sealing.keyId);
        }
        return changed;
      });
    },

    async findSubjectTransactions(council, hashes, limit) {
      if (hashes.length === 0) return [];
      const marks = hashes.map(() => '?').join(', ');
      return (
        prep(
          `SELECT DISTINCT transaction_id FROM subject_index WHERE council = ? AND hash IN (${marks}) ORDER BY transaction_id LIMIT ?`,
        ).all(council, ...hashes, limit) as Array<{ transaction_id: string }>
      ).map((r) => r.transaction_id);
    },
  };
}
