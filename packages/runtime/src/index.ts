/**
 * @module @lgx/runtime
 *
 * A council's stack, running: stacks loaded from YAML or code, adapters loaded by package name and
 * checked against @lgx/core, routes (one, all, fallback, shadow), durable submission to a store,
 * delivery workers with leases, retries by error class, a circuit breaker and dead letters, and a
 * hash-chained audit trail.
 */
export {
  loadStack,
  loadStackOutline,
  loadStackEncryptionKey,
  createStack,
  validateStack,
  stackSchema,
  stackLine,
  loadAdapters,
  loadAdapterPackage,
  findInstalledAdapters,
  type InstalledAdapter,
  type LoadAdaptersOptions,
  type MappingSource,
  type RouteDataValue,
  type RouteMatch,
  type RouteMode,
  type StackAdapter,
  type StackAdapterConfig,
  type ChannelCosts,
  type QuotaConfig,
  type ReportingConfig,
  type StackConfig,
  type StackDefinition,
  type StackOptions,
  type StackOutline,
  type StackRoute,
  type StackSource,
} from './stack/index';
export {
  StatusEvents,
  StatusPoller,
  createCallbackHandler,
  SIGNATURE_HEADER,
  signWebhook,
  verifyWebhookSignature,
  previewRetention,
  purgeFinished,
  retentionCutoffs,
  stackRetention,
  startRetention,
  type CallbackHandler,
  type CallbackHandlerOptions,
  type CallbackOutcome,
  type DurableWebhookBody,
  type RetentionJob,
  type RetentionOptions,
  type RetentionPeriods,
  type StatusEventMap,
  type StatusPollerOptions,
  DEFAULT_STATUS_REFRESH,
  type StatusRefreshOptions,
  type StatusRefreshSettings,
  type VerifyWebhookOptions,
} from './sync/index';
export { openStack, type OpenStackOptions, type RunningStack, type StackPollingOptions, type StatusPolling } from './engine/running-stack';
export { openReadModel, type OpenReadModelOptions, type ReadModel } from './read/open-read-model';
export {
  REPORT_DATASETS,
  REPORT_PERIODS,
  reportFields,
  type ReportAnswer,
  type ReportDataset,
  type ReportPeriod,
  type ReportQuery,
  type ReportValue,
} from './read/report-types';
export { parseReportQuery } from './read/report-query';
export type { UnitCosts } from './read/report';
export { currentError, stateOf, type TransactionState } from './read/transaction-state';
export {
  maskDelivery,
  maskStatusUpdate,
  maskStatusUpdateViews,
  maskTransactionSummary,
  maskTransactionView,
  scrubberOf,
  type TextScrubber,
} from './read/personal-data-mask';
export type {
  PersonalDataRead,
  StackReader,
  StatusUpdateQuery,
  StatusUpdateView,
  TransactionListQuery,
  TransactionSummary,
  TransactionView,
} from './read/read-types';
export { createDeadLetters, type DeadLetters, type DeadLettersOptions } from './engine/dead-letters';
export type { DeliveryEvent, DeliveryWorkerOptions } from './engine/delivery-worker';
export { DEFAULT_RETRY_POLICY } from './engine/retry-schedule';
export type { CircuitBreakerOptions, CircuitState } from './engine/circuit-breaker-options';
export { createSqliteStore, type SqliteStoreOptions } from './store/sqlite-store';
export { createPostgresStore, type PostgresStoreOptions } from './store/postgres-store';
export { verifyAuditChain, type AuditChainVerdict } from './store/audit-chain';
export type { ErasedTransaction, PersonalDataEraser, ReclaimedSpace, StoreErasure } from './store/store-erasure';
export { ERASED, personalDataEraser } from './subjects/personal-data-eraser';
export { parseSubjectSelector, SUBJECT_KINDS, type SubjectQuery, type SubjectSelector } from './subjects/subject-selector';
export {
  MAX_SUBJECT_TRANSACTIONS,
  openSubjectRequests,
  type SubjectErasure,
  type SubjectExport,
  type SubjectMatch,
  type SubjectRequester,
  type SubjectRequests,
  type SubjectRequestsOptions,
} from './subjects/subject-requests';
export { subjectExportCsv } from './subjects/subject-export-csv';
export type { BackOffices, ForwardedErasure } from './subjects/forward-erasure';
export type {
  AttemptOutcome,
  AttemptRecord,
  AuditEntry,
  AuditInput,
  DeliveryState,
  DeliveryTotals,
  InsertedTransaction,
  LeasedDelivery,
  NewDelivery,
  NewTransaction,
  QueueDepth,
  RetentionCutoffs,
  RetentionPreviewRow,
  Store,
  StoredDelivery,
  StoredStatusUpdate,
  StoredTransaction,
  TargetActivity,
  WorkerRecord,
} from './store/store-types';
export type { StatusRefreshCase, StatusRefreshClaim, StatusRefreshClaimInput, StatusRefreshSettlement } from './store/status-refresh-types';
export type { DataKeyRecord, ResealedRow, SealedRow, Sealing, StoreKeys } from './store/store-keys';
export type { StoredApiKey, StoreApiKeys } from './store/store-api-keys';
export { generateKeyEncryptionKey, parseKeyEncryptionKey, type KeyEncryptionKey } from './crypto/key-encryption-key';
export { CouncilKeyring } from './crypto/council-keyring';
export { rotateDataKey, type RotateDataKeyOptions, type RotateDataKeyResult } from './crypto/rotate-data-key';
export { BANK_DETAIL_TYPES } from './crypto/stack-encryption';
export { isSealed, SEALED_PREFIX } from './crypto/sealed-value';
export { normaliseEmail, normaliseName, normalisePhone, normaliseReference, normaliseUprnText } from './crypto/subject-normalise';
export { subjectHash, subjectHashes, subjectIndexKey, subjectTerms, type SubjectHash, type SubjectKind } from './crypto/subject-terms';
export type { PersonalDataOption } from './read/personal-data-view';
