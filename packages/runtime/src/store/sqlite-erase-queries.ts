import type Database from 'better-sqlite3';
import type { Envelope, StatusUpdate } from '@lgx/core';
import type { RollupFacts, Transition } from './delivery-transitions';
import { eraseTransition } from './erase-transition';
import type { StoreErasure } from './store-erasure';
import type { StoredDelivery } from './store-types';

/** What erasure needs from the SQLite store: its connection, statements, write transaction and transition writer. */
export interface SqliteEraseHelpers {
  db: Database.Database;
  prep(sql: string): Database.Statement;
  write<R>(fn: () => R): R;
  apply(t: Transition, now: Date): void;
  rollupFacts(delivery: StoredDelivery, arriving: boolean): RollupFacts | undefined;
  delivery(row: unknown): StoredDelivery;
}

/**
 * The SQLite store's erasure. The store runs with secure_delete on, so a cell or page freed by the
 * erasing UPDATE is zeroed; the WAL still holds the pages as they were until a checkpoint copies the
 * new ones into the file and truncates it, which reclaimErasedSpace asks for.
 */
export function sqliteEraseMethods(h: SqliteEraseHelpers): StoreErasure {
  const { prep } = h;
  return {
    async eraseTransaction({ transactionId, actor, erase, now }) {
      return h.write(() => {
        const row = prep('SELECT council, type, envelope FROM transactions WHERE id = ?').get(transactionId) as
          { council: string; type: string; envelope: string | null } | undefined;
        if (!row) return undefined;
        if (row.envelope !== null)
          prep('UPDATE transactions SET envelope = ?, key_id = NULL WHERE id = ?').run(
            JSON.stringify(erase.envelope(JSON.parse(row.envelope) as Envelope)),
            transactionId,
          );
        const updates = prep('SELECT id, body FROM status_updates WHERE transaction_id = ?').all(transactionId) as Array<{
          id: number;
          body: string;
        }>;
        for (const u of updates)
          prep('UPDATE status_updates SET body = ?, key_id = NULL WHERE id = ?').run(
            JSON.stringify(erase.statusUpdate(JSON.parse(u.body) as StatusUpdate)),
            u.id,
          );
        const attempts = prep(
          'UPDATE attempts SET message = ? WHERE message IS NOT NULL AND delivery_id IN (SELECT id FROM deliveries WHERE transaction_id = ?)',
        ).run(erase.message, transactionId).changes;
        prep('DELETE FROM subject_index WHERE transaction_id = ?').run(transactionId);
        const deliveries = prep('SELECT * FROM deliveries WHERE transaction_id = ? ORDER BY link_order, id')
          .all(transactionId)
          .map(h.delivery);
        const { transition, erased } = eraseTransition(
          { id: transactionId, council: row.council, type: row.type },
          deliveries,
          { actor, erase, now, statusUpdates: updates.length, attempts },
          deliveries[0] && h.rollupFacts(deliveries[0], false),
        );
        h.apply(transition, now);
        return erased;
      });
    },

    async reclaimErasedSpace() {
      const [result] = h.db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number; log: number; checkpointed: number }>;
      if (result && result.busy === 0)
        return { complete: true, note: 'the database file holds the erased rows only; its WAL was emptied (truncated to 0 bytes)' };
      return {
        complete: false,
        note: 'another connection was reading, so the WAL could not be emptied: it keeps the old pages until the next full checkpoint (run the erasure again, or stop the stack and run it)',
      };
    },
  };
}
