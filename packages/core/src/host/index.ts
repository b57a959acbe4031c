/**
 * @module @lgx/core/host
 *
 * For code that runs adapters (the runtime, the testkit, an integrator's own host): compatibility
 * check, config validation and the adapter context with its scrubbing logger and transport factories.
 * Kept out of the main entry so that validating a transaction never loads a transport.
 */
export { createAdapterContext, instantiateAdapter, type HostOptions } from './instantiate-adapter';
