/**
 * @module @lgx/adapter-salesforce
 *
 * The LGX adapter for Salesforce: canonical `crm.case` transactions become Cases through the REST
 * API, upserted by an external id field holding the LGX transaction id, with the OAuth 2.0 JWT bearer
 * (RS256, node:crypto) or client credentials flow and the `instance_url` the token answer names.
 * Status through CaseStatus (IsClosed) and a configurable map; polling through getUpdated windows,
 * then the changed Cases themselves.
 */
export { adapter, adapter as default } from './adapter';
export {
  configSchema,
  CASE_FACTS,
  DEFAULT_API_VERSION,
  DEFAULT_EXTERNAL_ID_FIELD,
  type SalesforceConfig,
  type CaseFact,
  type ValueMap,
} from './config';
export { VERSION } from './version';
