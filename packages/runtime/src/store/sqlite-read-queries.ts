import type Database from 'better-sqlite3';
import type { DeliveryState, RouteMode } from './store-types';
import type { StoreBatchReads } from './store-batch-reads';
import { rowMapper, SQLITE_ROWS } from './store-rows';

const rows = rowMapper(SQLITE_ROWS);

/**
 * The ids go in as one JSON array parameter read by json_each, so each statement is prepared once
 * whatever the number of ids; SQLite reads the list as an IN list and searches each table's index on
 * the id (the plans are checked by a test).
 */
export const SQLITE_READ_QUERIES = {
  transactions: 'SELECT * FROM transactions WHERE id IN (SELECT value FROM json_each(?))',
  deliveryStates: 'SELECT transaction_id, mode, state FROM deliveries WHERE transaction_id IN (SELECT value FROM json_each(?))',
  attempts: 'SELECT * FROM attempts WHERE delivery_id IN (SELECT value FROM json_each(?)) ORDER BY delivery_id, id',
  latestStatusUpdates:
    'SELECT * FROM status_updates WHERE id IN (SELECT MAX(id) FROM status_updates WHERE transaction_id IN (SELECT value FROM json_each(?)) GROUP BY transaction_id)',
} as const;

/** The SQLite store's batch reads, on its statement cache. */
export function sqliteBatchReads(prep: (sql: string) => Database.Statement): StoreBatchReads {
  const all = (sql: string, ids: readonly string[]): unknown[] => (ids.length === 0 ? [] : prep(sql).all(JSON.stringify(ids)));
  return {
    async getTransactions(ids) {
      return all(SQLITE_READ_QUERIES.transactions, ids).map(rows.transaction);
    },
    async listDeliveryStatesOf(transactionIds) {
      return (
        all(SQLITE_READ_QUERIES.deliveryStates, transactionIds) as { transaction_id: string; mode: RouteMode; state: DeliveryState }[]
      ).map((row) => ({ transactionId: row.transaction_id, mode: row.mode, state: row.state }));
    },
    async listAttemptsOf(deliveryIds) {
      return all(SQLITE_READ_QUERIES.attempts, deliveryIds).map((row) => ({
        deliveryId: (row as { delivery_id: string }).delivery_id,
        attempt: rows.attempt(row),
      }));
    },
    async latestStatusUpdatesOf(transactionIds) {
      return all(SQLITE_READ_QUERIES.latestStatusUpdates, transactionIds).map(rows.statusUpdate);
    },
  };
}
