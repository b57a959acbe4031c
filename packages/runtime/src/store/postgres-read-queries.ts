import type { QueryResult } from 'pg';
import type { StoreBatchReads } from './store-batch-reads';
import { POSTGRES_ROWS, rowMapper } from './store-rows';

const rows = rowMapper(POSTGRES_ROWS);

/** The ids go in as one text[] parameter ($1), so each statement's text is the same whatever their number. */
export function postgresReadQueries(s: string) {
  return {
    transactions: `SELECT * FROM ${s}.transactions WHERE id = ANY($1::text[])`,
    deliveries: `SELECT * FROM ${s}.deliveries WHERE transaction_id = ANY($1::text[]) ORDER BY transaction_id, link_order, created_at, id`,
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
  const all = async (text: string, ids: readonly string[]): Promise<unknown[]> => (ids.length === 0 ? [] : (await pool.query(text, [ids])).rows);
  return {
    async getTransactions(ids) {
      return (await all(sql.transactions, ids)).map(rows.transaction);
    },
    async listDeliveriesOf(transactionIds) {
      return (await all(sql.deliveries, transactionIds)).map(rows.delivery);
    },
    async listAttemptsOf(deliveryIds) {
      return (await all(sql.attempts, deliveryIds)).map((row) => ({ deliveryId: (row as { delivery_id: string }).delivery_id, attempt: rows.attempt(row) }));
    },
    async latestStatusUpdatesOf(transactionIds) {
      return (await all(sql.latestStatusUpdates, transactionIds)).map(rows.statusUpdate);
    },
  };
}
