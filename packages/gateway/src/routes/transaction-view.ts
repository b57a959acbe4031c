import type { StoredDelivery, StoredTransaction, TransactionView } from '@lgx/runtime';

/** Where a transaction stands, from its deliveries (shadow deliveries never count). */
export type TransactionState = 'pending' | 'delivered' | 'dead' | 'discarded';

export function stateOf(deliveries: readonly Pick<StoredDelivery, 'mode' | 'state'>[]): TransactionState {
  const counted = deliveries.filter((d) => d.mode !== 'shadow');
  if (counted.some((d) => d.state === 'pending')) return 'pending';
  if (counted.some((d) => d.state === 'delivered')) return 'delivered';
  if (counted.some((d) => d.state === 'dead')) return 'dead';
  if (counted.length > 0 && counted.every((d) => d.state === 'discarded' || d.state === 'skipped')) return 'discarded';
  return 'pending';
}

/**
 * A delivery's last error while it still stands: once a later attempt delivered it, the error is
 * history (kept in the attempt log), not the delivery's state.
 */
export function currentError(delivery: Pick<StoredDelivery, 'state' | 'lastError'>): StoredDelivery['lastError'] {
  return delivery.state === 'delivered' ? undefined : delivery.lastError;
}

export function summaryOf(transaction: StoredTransaction, deliveries: readonly StoredDelivery[], base: string): Record<string, unknown> {
  return {
    id: transaction.id,
    type: transaction.type,
    council: transaction.council,
    createdAt: transaction.createdAt,
    state: stateOf(deliveries),
    ...(transaction.purgedAt ? { purgedAt: transaction.purgedAt } : {}),
    links: { self: `${base}/v1/transactions/${transaction.id}` },
  };
}

/** The full view: the envelope (until retention purges it), every delivery with its attempts, and status history. */
export function detailOf(view: TransactionView, base: string): Record<string, unknown> {
  const latest = view.statusUpdates[view.statusUpdates.length - 1];
  return {
    ...summaryOf(view.transaction, view.deliveries, base),
    idempotencyKey: view.transaction.idempotencyKey,
    status: latest ? latest.update.status : undefined,
    transaction: view.transaction.envelope ?? null,
    deliveries: view.deliveries.map((d) => {
      const lastError = currentError(d);
      return {
        id: d.id,
        target: d.target,
        mode: d.mode,
        state: d.state,
        attempts: d.attempts,
        ...(d.state === 'pending' ? { nextAttemptAt: d.nextAttemptAt } : {}),
        ...(d.receipt ? { receipt: d.receipt } : {}),
        ...(lastError ? { lastError } : {}),
        attemptLog: d.attemptLog,
      };
    }),
    statusHistory: view.statusUpdates.map((u) => ({ id: u.id, source: u.target, receivedAt: u.receivedAt, ...u.update })),
  };
}
