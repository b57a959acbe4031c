/**
 * @module @lgx/adapter-rest/testing
 *
 * A simulator of the Fieldbook Requests API v2, the FICTIONAL REST system of this adapter's worked
 * example (`fieldbookExampleConfig()`), with its OpenAPI document: OAuth 2.0 client credentials (or
 * Bearer, Basic, an API key), Idempotency-Key, look-up by clientReference, a change feed, the quirks
 * error rules must catch, and the testkit's fault injection. Needs `@lgx/testkit` installed beside
 * it; the adapter's main entry does not.
 */
export {
  startFieldbookSimulator,
  FIELDBOOK_CLIENT_ID,
  FIELDBOOK_CLIENT_SECRET,
  FIELDBOOK_TOKEN,
  FIELDBOOK_USERNAME,
  FIELDBOOK_PASSWORD,
  FIELDBOOK_API_KEY,
  type FieldbookSimulator,
  type FieldbookSimulatorOptions,
  type FieldbookSimulatorState,
  type FieldbookRequest,
  type FieldbookChange,
  type FieldbookState,
  type FieldbookAuthMode,
} from './fieldbook-simulator';
export { FIELDBOOK_OPENAPI, FIELDBOOK_STATES, FIELDBOOK_CATEGORIES, FIELDBOOK_SERVICES } from './fieldbook-openapi';
export { fieldbookSystem, simulatedSystems } from './fieldbook-system';
export { conformanceHarness } from './conformance-harness';
