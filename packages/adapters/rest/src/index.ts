/**
 * @module @lgx/adapter-rest
 *
 * The declarative REST adapter: connects a council's REST back office that has no adapter of its own,
 * by configuration only. Per operation a method, a path template, headers and a JSONata request body;
 * JSONata mappings from the answers to receipts and status updates; auth (Bearer, Basic, an API key
 * in a header or the query, OAuth 2.0 client credentials); error rules; idempotency by a header or a
 * look-up; getStatus and pollUpdates with a cursor the mapping computes; and, optionally, an OpenAPI 3
 * document every configured request must be defined in.
 */
export { adapter, adapter as default, defineRestAdapter } from './adapter';
// Every canonical type but statusUpdate; which of them works is what the configuration maps.
export { SERVABLE_TYPES, type ServableType } from '@lgx/core';
export {
  configSchema,
  CALLS,
  RULE_CLASSIFICATIONS,
  type RestAdapterConfig,
  type RequestConfig,
  type SubmitConfig,
  type IdempotencyConfig,
  type AuthConfig,
  type ErrorRuleConfig,
  type CallName,
  type RuleClassification,
} from './config';
export type { IdempotencyKind } from './plan';
export { fieldbookExampleConfig, type FieldbookConnection } from './fieldbook-example';
export { VERSION } from './version';
