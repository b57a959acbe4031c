import type { AttemptRecord, DeliveryState, RouteMode, StoredStatusUpdate, StoredTransaction } from './store-types';

/**
 * Reads by a list of ids, each one statement however many ids it is given, so a page of transactions
 * costs the same number of queries with 1,000 items as with 10. Unknown ids are left out; an empty
 * list answers at once, without a query.
 */
export interface StoreBatchReads {
  /** The transactions with these ids, in no particular order. */
  getTransactions(ids: readonly string[]): Promise<StoredTransaction[]>;
  /** How each delivery of these transactions stands (its mode and state alone: what a page's state needs). */
  listDeliveryStatesOf(transactionIds: readonly string[]): Promise<Array<{ transactionId: string; mode: RouteMode; state: DeliveryState }>>;
  /** The attempts of these deliveries, each delivery's in order, with the delivery's id. */
  listAttemptsOf(deliveryIds: readonly string[]): Promise<Array<{ deliveryId: string; attempt: AttemptRecord }>>;
  /** The newest status update of each of these transactions that has one. */
  latestStatusUpdatesOf(transactionIds: readonly string[]): Promise<StoredStatusUpdate[]>;
}
