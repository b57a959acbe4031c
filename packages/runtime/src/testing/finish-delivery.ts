import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store-types';

/**
 * Ends a pending delivery at `at`, as a worker would: leases it alone and records one attempt,
 * delivered or dead (a dead letter). For tests that need transactions that ended at a known time.
 * Resolves false when the delivery could not be leased or finished.
 */
export async function finishDelivery(
  store: Store,
  delivery: { deliveryId: string; target: string },
  kind: 'delivered' | 'dead',
  at: Date,
): Promise<boolean> {
  const owner = `w-${randomUUID()}`;
  const leased = await store.leaseDeliveries({ owner, limit: 10, leaseMs: 60_000, now: at, targets: [delivery.target] });
  for (const other of leased) if (other.id !== delivery.deliveryId) await store.releaseLease(other.id, owner);
  if (!leased.some((d) => d.id === delivery.deliveryId)) return false;
  const time = at.toISOString();
  const attempt = { attempt: 1, startedAt: time, finishedAt: time, outcome: kind === 'delivered' ? 'delivered' : 'failed' } as const;
  const outcome =
    kind === 'delivered'
      ? { kind, receipt: { externalRef: `R-${delivery.deliveryId.slice(0, 8)}`, status: 'open' as const } }
      : { kind, error: { classification: 'permanent' as const, message: 'refused' } };
  return store.completeAttempt({ deliveryId: delivery.deliveryId, owner, attempt, outcome, now: at });
}
