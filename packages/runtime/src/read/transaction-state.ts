import type { StoredDelivery } from '../store/store-types';

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

/** A delivery as readers see it: `lastError` only while it stands. */
export function deliveryView<D extends StoredDelivery>(delivery: D): D {
  if (delivery.lastError === undefined || currentError(delivery) !== undefined) return delivery;
  const { lastError: _history, ...rest } = delivery;
  return rest as D;
}
