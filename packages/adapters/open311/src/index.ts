/**
 * @module @lgx/adapter-open311
 *
 * The LGX adapter for back offices that speak Open311 GeoReport v2 (XML or JSON) with the mySociety
 * extensions: street reports and missed collections as service requests, tokens followed to a
 * service_request_id, status by GET requests/{id} and mySociety's servicerequestupdates, and a helper
 * that lists a server's services and their attributes.
 */
export { adapter, adapter as default } from './adapter';
export { configSchema, type Open311Config, type Open311Format } from './config';
export { listOpen311Services, type ListServicesOptions } from './services';
export type { Open311Attribute, Open311Service, Open311ServiceRequest, Open311Update } from './types';
export { VERSION } from './version';
