import type { QueryResult } from 'pg';
import type { Envelope, StatusUpdate } from '@lgx/core';
import type { RollupFacts, Transition } from './delivery-transitions';
import { eraseTransition } from './erase-transition';
import type { StoreErasure } from './store-erasure';
import type { StoredDelivery } from './store-types';

interface Queryable {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/** What erasure needs from the PostgreSQL store (schema `s`, quoted). */
export interface PostgresEraseHelpers {
  pool: Queryable;
  s: string;
  transaction<R>(fn: (db: Queryable) => Promise<R>): Promise<R>;
  apply(db: Queryable, t: Transition, now: Date): Promise<void>;
  rollupFacts(db: Queryable, delivery: StoredDelivery, arriving: boolean): Promise<RollupFacts | undefined>;
  delivery(row: unknown): StoredDelivery;
}

/** The tables an erasure rewrites rows of: vacuumed after it, so their old versions are no longer kept as rows. */
const ERASED_TABLES = ['transactions', 'status_updates', 'attempts', 'deliveries', 'subject_index'];

/** The PostgreSQL store's erasure. */
export function postgresEraseMethods(h: PostgresEraseHelpers): StoreErasure {
  const { s } = h;
  return {
    async eraseTransaction({ transactionId, actor, erase, now }) {
      return h.transaction(async (db) => {
        // Delivery rows first, then the transaction row, as a replay locks them.
        const deliveries = (
          await db.query(`SELECT * FROM ${s}.deliveries WHERE transaction_id = $1 ORDER BY id FOR UPDATE`, [transactionId])
        ).rows.map(h.delivery);
        const row = (
          await db.query<{ council: string; type: string; envelope: Envelope | null }>(
            `SELECT council, type, envelope FROM ${s}.transactions WHERE id = $1 FOR UPDATE`,
            [transactionId],
          )
        ).rows[0];
        if (!row) return undefined;
        if (row.envelope !== null)
          await db.query(`UPDATE ${s}.transactions SET envelope = $1, key_id = NULL WHERE id = $2`, [
            JSON.stringify(erase.envelope(row.envelope)),
            transactionId,
          ]);
        const updates = (
          await db.query<{ id: number; body: StatusUpdate }>(
            `SELECT id, body FROM ${s}.status_updates WHERE transaction_id = $1 FOR UPDATE`,
            [transactionId],
          )
        ).rows;
        for (const u of updates)
          await db.query(`UPDATE ${s}.status_updates SET body = $1, key_id = NULL WHERE id = $2`, [
            JSON.stringify(erase.statusUpdate(u.body)),
            u.id,
          ]);
        const attempts =
          (
            await db.query(
              `UPDATE ${s}.attempts SET message = $1 WHERE message IS NOT NULL AND delivery_id IN (SELECT id FROM ${s}.deliveries WHERE transaction_id = $2)`,
              [erase.message, transactionId],
            )
          ).rowCount ?? 0;
        await db.query(`DELETE FROM ${s}.subject_index WHERE transaction_id = $1`, [transactionId]);
        const ordered = [...deliveries].sort((a, b) => a.order - b.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        const { transition, erased } = eraseTransition(
          { id: transactionId, council: row.council, type: row.type },
          ordered,
          { actor, erase, now, statusUpdates: updates.length, attempts },
          ordered[0] && (await h.rollupFacts(db, ordered[0], false)),
        );
        await h.apply(db, transition, now);
        return erased;
      });
    },

    async reclaimErasedSpace() {
      for (const table of ERASED_TABLES) await h.pool.query(`VACUUM ${s}.${table}`);
      return {
        complete: false,
        note: 'the touched tables were vacuumed, so their files no longer hold the old row versions once PostgreSQL writes them out (its next checkpoint); WAL segments (pg_wal), replicas and backups keep them until they are recycled',
      };
    },
  };
}
