import { deliveryRollups } from './report-rollups';
import type { RollupFacts, Transition } from './delivery-transitions';
import type { ErasedTransaction, PersonalDataEraser } from './store-erasure';
import type { StoredDelivery } from './store-types';

/** The reason a queued delivery of an erased subject becomes a dead letter. */
export const ERASED_CLASSIFICATION = 'erased';

/**
 * Erasing one transaction's deliveries: a queued one (pending, leased or not) becomes a dead letter
 * with reason `erased` and is never sent; a fallback link not yet tried is discarded; every error
 * message and receipt is passed through the eraser. One 'subject.erased' audit entry records it.
 */
export function eraseTransition(
  transaction: { id: string; council: string; type: string },
  deliveries: readonly StoredDelivery[],
  action: { actor: string; erase: PersonalDataEraser; now: Date; statusUpdates: number; attempts: number },
  facts: RollupFacts | undefined,
): { transition: Transition; erased: ErasedTransaction } {
  const at = action.now.toISOString();
  const pending = new Map<string, number>();
  const rollups: Transition['rollups'] = [];
  const rows: StoredDelivery[] = [];
  const erased: ErasedTransaction = {
    transactionId: transaction.id,
    council: transaction.council,
    type: transaction.type,
    deadLettered: [],
    delivered: [],
    statusUpdates: action.statusUpdates,
    attempts: action.attempts,
  };
  for (const current of deliveries) {
    const { leaseOwner: _owner, leaseExpiresAt: _expires, ...next } = current;
    if (current.lastError) next.lastError = { ...current.lastError, message: action.erase.message };
    if (current.receipt) next.receipt = action.erase.receipt(current.receipt);
    if (current.state === 'pending') {
      Object.assign(next, { state: 'dead', lastError: { classification: ERASED_CLASSIFICATION, message: action.erase.message } });
      pending.set(current.target, (pending.get(current.target) ?? 0) - 1);
      if (facts) rollups.push(...deliveryRollups(facts.subject, current, 'pending', 'dead'));
      erased.deadLettered.push(current.id);
    } else if (current.state === 'skipped') next.state = 'discarded';
    if (current.state === 'delivered')
      erased.delivered.push({
        deliveryId: current.id,
        target: current.target,
        ...(current.receipt?.externalRef !== undefined ? { externalRef: current.receipt.externalRef } : {}),
      });
    rows.push({ ...next, updatedAt: next.state === current.state ? current.updatedAt : at });
  }
  const transition: Transition = {
    attempts: [],
    deliveries: rows,
    leases: [],
    audit: [
      {
        council: transaction.council,
        actor: action.actor,
        action: 'subject.erased',
        transactionId: transaction.id,
        details: {
          deadLettered: erased.deadLettered,
          deliveries: deliveries.length,
          statusUpdates: action.statusUpdates,
          attempts: action.attempts,
        },
      },
    ],
    pending,
    rollups,
    restate: [transaction.id],
  };
  return { transition, erased };
}
