import type { QueryResult } from 'pg';
import type { DeliveryState, RouteMode } from './store-types';
import type { StoreBatchReads } from './store-batch-reads';
import { POSTGRES_ROWS, rowMapper } from './store-rows';

const rows = rowMapper(POSTGRES_ROWS);

/** The ids go in as one text[] parameter ($1), so each statement's text is the same whatever their number. */
export function postgresReadQueries(s: string) {
  return {
    transactions: `SELECT * FROM ${s}.transactions WHERE id = ANY($1::text[])`,
    deliveryStates: `SELECT transaction_id, mode, state FROM ${s}.deliveries WHERE transaction_id = ANY($1::text[])`,
    attempts: `SELECT * FROM ${s}.attempts WHERE delivery_id = ANY($1::text[]) ORDER BY delivery_id, id`,
    latestStatusUpdates: `SELECT DISTINCT ON (transaction_id) * FROM ${s}.status_updates WHERE transaction_id = ANY($1::text[]) ORDER BY transaction_id, id DESC`,
  };
}

interface Queryable {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/** The PostgreSQL store's batch reads, on its pool, for the schema `s` (quoted). */
export function postgresBatchReads(pool: Queryable, s: string): StoreBatchReads {
  const sql = postgresReadQueries(s);
  const all = async (text: string, ids: readonly string[]): Promise<unknown[]> =>
    ids.length === 0 ? [] : (await pool.query(text, [ids])).rows;
  return {
    async getTransactions(ids) {
      return (await all(sql.transactions, ids)).map(rows.transaction);
    },
    async listDeliveryStatesOf(transactionIds) {
      const found = (await all(sql.deliveryStates, transactionIds)) as { transaction_id: string; mode: RouteMode; state: DeliveryState }[];
      return found.map((row) => ({ transactionId: row.transaction_id, mode: row.mode, state: row.state }));
    },
    async listAttemptsOf(deliveryIds) {
      return (await all(sql.attempts, deliveryIds)).map((row) => ({
        deliveryId: (row as { delivery_id: string }).delivery_id,
        attempt: rows.attempt(row),
      }));
    },
    async latestStatusUpdatesOf(transactionIds) {
      return (await all(sql.latestStatusUpdates, transactionIds)).map(rows.statusUpdate);
    },
  };
}
