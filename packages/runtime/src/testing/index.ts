/**
 * @module @lgx/runtime/testing
 *
 * Tools for testing against the runtime, kept out of its main entry so a running service never loads
 * them: the store conformance suite, the behaviour every `Store` must have, as jest tests in one call,
 * and a way to end a delivery at a chosen time.
 */
export { describeStoreConformance } from '../store/store-conformance';
export { finishDelivery } from './finish-delivery';
