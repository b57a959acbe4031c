/**
 * @module @lgx/runtime
 *
 * A council's stack, running: stacks loaded from YAML or code, adapters loaded by package name and
 * checked against @lgx/core, routes (one, all, fallback, shadow), durable submission to a store,
 * delivery workers with leases, retries by error class, a circuit breaker and dead letters, and a
 * hash-chained audit trail.
 */
export * from './stack/index';
export * from './sync/index';
export { openStack, type OpenStackOptions, type RunningStack, type StackPollingOptions, type StatusPolling, type TransactionView } from './engine/running-stack';
export { createDeadLetters, type DeadLetters, type DeadLettersOptions } from './engine/dead-letters';
export { DeliveryWorker, type DeliveryEvent, type DeliveryTarget, type DeliveryWorkerOptions } from './engine/delivery-worker';
export { DEFAULT_RETRY_POLICY, nextStep, type RetryPolicy } from './engine/retry-schedule';
export { CircuitBreaker, type CircuitBreakerOptions } from './engine/circuit-breaker';
export { RateBudget } from './engine/rate-budget';
export { createSqliteStore, type SqliteStoreOptions } from './store/sqlite-store';
export { createPostgresStore, type PostgresStoreOptions } from './store/postgres-store';
export { describeStoreConformance } from './store/store-conformance';
export { verifyAuditChain, GENESIS_HASH, type AuditChainVerdict } from './store/audit-chain';
export { payloadHash, canonicalJson } from './store/canonical-json';
export type {
  AttemptOutcome,
  AttemptRecord,
  AuditEntry,
  AuditInput,
  DeliveryState,
  InsertedTransaction,
  LeasedDelivery,
  NewDelivery,
  NewTransaction,
  QueueDepth,
  Store,
  StoredDelivery,
  StoredStatusUpdate,
  StoredTransaction,
  WorkerRecord,
} from './store/store-types';
