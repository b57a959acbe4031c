import type { Store } from '../store/store-types';
import type { DeliveryWorker } from './delivery-worker';

/** What a running stack keeps inside the runtime: its store and its delivery worker. */
export interface StackInternals {
  store: Store;
  worker: DeliveryWorker;
}

const internals = new WeakMap<object, StackInternals>();

/** Records a stack's internals (openStack does, for the runtime's own code and tests). */
export function keepStackInternals(stack: object, parts: StackInternals): void {
  internals.set(stack, parts);
}

/**
 * The store and worker behind a stack openStack returned. Not exported from the package: outside the
 * runtime, everything goes through the stack's own methods.
 */
export function stackInternals(stack: object): StackInternals {
  const parts = internals.get(stack);
  if (!parts) throw new TypeError('not a stack opened by openStack');
  return parts;
}
