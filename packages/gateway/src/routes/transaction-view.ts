import type { TransactionSummary, TransactionView } from '@lgx/runtime';

/** A page item of GET /v1/transactions: where the transaction stands, and its link. */
export function summaryOf(summary: Pick<TransactionSummary, 'transaction' | 'state'>, base: string): Record<string, unknown> {
  const { transaction } = summary;
  return {
    id: transaction.id,
    type: transaction.type,
    council: transaction.council,
    createdAt: transaction.createdAt,
    state: summary.state,
    ...(transaction.purgedAt ? { purgedAt: transaction.purgedAt } : {}),
    links: { self: `${base}/v1/transactions/${transaction.id}` },
  };
}

/** The full view: the envelope (until retention purges it), every delivery with its attempts, and status history. */
export function detailOf(view: TransactionView, base: string): Record<string, unknown> {
  return {
    ...summaryOf(view, base),
    idempotencyKey: view.transaction.idempotencyKey,
    status: view.latestStatus?.update.status,
    transaction: view.transaction.envelope ?? null,
    // The read model keeps a delivery's lastError only while it stands.
    deliveries: view.deliveries.map((d) => ({
      id: d.id,
      target: d.target,
      mode: d.mode,
      state: d.state,
      attempts: d.attempts,
      ...(d.state === 'pending' ? { nextAttemptAt: d.nextAttemptAt } : {}),
      ...(d.receipt ? { receipt: d.receipt } : {}),
      ...(d.lastError ? { lastError: d.lastError } : {}),
      attemptLog: d.attemptLog,
    })),
    statusHistory: view.statusUpdates.map((u) => ({ id: u.id, source: u.target, receivedAt: u.receivedAt, ...u.update })),
  };
}
