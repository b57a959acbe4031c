/**
 * @module @lgx/gateway
 *
 * A council's LGX stack over HTTP: the canonical REST API under /v1 (submit, read with deliveries and
 * status history, queries, schemas, health, metrics, vendor callbacks), RFC 9457 errors, OpenAPI 3.1
 * generated from the canonical schemas, API keys per council stored hashed, and an Open311 GeoReport v2
 * facade (XML and JSON, with mySociety's extensions) so existing Open311 clients work unchanged.
 */
export { VERSION } from './version';
export { createGateway, type Gateway } from './create-gateway';
export { startService, type Service } from './service/start-service';
export {
  createApiKey,
  verifyApiKey,
  hasScope,
  SCOPE_ALIASES,
  SCOPES,
  scopeNamed,
  showsPersonalData,
  type ScopeName,
} from './auth/api-keys';
export { createFileKeyStore, createMemoryKeyStore } from './auth/key-store';
export { createStoreKeyStore, KEY_REFRESH_MS } from './auth/store-key-store';
export { buildOpenApi } from './openapi/build-openapi';
export { reportColumns, reportCsv } from './reports/report-csv';
export { MAX_REPORT_QUERY_CHARS } from './routes/reports';
export { PROBLEM_BASE, type Problem } from './http/problem';
export { LOAD_SHEDDING_DEFAULTS, type LoadSheddingOptions } from './http/load-shedding';
export type { ConsoleOptions } from './console/console-routes';
export type {
  ApiKeyRecord,
  GatewayMetrics,
  GatewayOptions,
  KeyStore,
  ReloadReport,
  Scope,
  ServiceOptions,
  ServiceRole,
  ServiceStack,
} from './types';
export type { Open311FacadeAttribute, Open311FacadeConfig, Open311FacadeService } from './open311/open311-model';
