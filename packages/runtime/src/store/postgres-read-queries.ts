import type { QueryResult } from 'pg';
import { toAttempt, toStatusUpdate, toTransaction, type PgAttemptRow, type PgStatusUpdateRow, type PgTransactionRow } from './postgres-rows';
import type { DeliveryState, RouteMode } from './store-types';
import type { StoreBatchReads } from './store-batch-reads';

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
  const all = async <R>(text: string, ids: readonly string[]): Promise<R[]> => (ids.length === 0 ? [] : (await pool.query<R>(text, [ids])).rows);
  return {
    async getTransactions(ids) {
      return (await all<PgTransactionRow>(sql.transactions, ids)).map(toTransaction);
    },
    async listDeliveryStatesOf(transactionIds) {
      const rows = await all<{ transaction_id: string; mode: RouteMode; state: DeliveryState }>(sql.deliveryStates, transactionIds);
      return rows.map((row) => ({ transactionId: row.transaction_id, mode: row.mode, state: row.state }));
    },
    async listAttemptsOf(deliveryIds) {
      return (await all<PgAttemptRow & { delivery_id: string }>(sql.attempts, deliveryIds)).map((row) => ({ deliveryId: row.delivery_id, attempt: toAttempt(row) }));
    },
    async latestStatusUpdatesOf(transactionIds) {
      return (await all<PgStatusUpdateRow>(sql.latestStatusUpdates, transactionIds)).map(toStatusUpdate);
    },
  };
}
