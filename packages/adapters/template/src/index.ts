/**
 * @module @lgx/adapter-template
 *
 * The LGX adapter template: a complete adapter for the fictional Example Waste REST API (missed
 * collections, container requests, bin-day look-ups, status by polling). New adapters start here.
 */
export { adapter, adapter as default } from './adapter';
export { configSchema, type ExampleWasteConfig } from './config';
