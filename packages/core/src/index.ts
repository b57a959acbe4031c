/**
 * @module @lgx/core
 *
 * The LGX contract: canonical transaction schemas and their TypeScript types, validation, envelopes,
 * schema versions and converters, the adapter contract, redaction, logging and the error table.
 * Light by design: a vendor writing a REST adapter pulls in nothing but ajv and semver.
 */
export type {
  Channel,
  Envelope,
  EnvelopeExtensions,
  JsonSchema,
  SchemaEntry,
  SchemaKind,
  Transaction,
  ValidationIssue,
  ValidationResult,
} from './types';
export type * from './generated/types';

export { ADAPTER_CONTRACT_VERSION, CORE_VERSION } from './version';

export { errorCodes, ERROR_CODES, httpStatusOf, type ErrorCodeEntry, type ErrorHttpStatus, type LgxErrorCode } from './errors/codes';
export { LgxError, LgxValidationError, LgxSchemaError, isLgxError, type LgxErrorOptions } from './errors/lgx-error';
export {
  LgxAdapterError,
  RetryableError,
  RateLimitedError,
  PermanentError,
  AuthError,
  NotFoundError,
  UnsupportedError,
  adapterError,
  classifyError,
  type AdapterErrorOptions,
  type ErrorClassification,
} from './errors/adapter-errors';

export { SchemaRegistry, schemaRegistry } from './schema/schema-registry';
export { CASE_STATUSES, FINAL_CASE_STATUSES } from './schema/case-statuses';
export { CHANNELS } from './schema/channels';
export { schemaId, parseSchemaId, SCHEMA_BASE } from './schema/schema-id';
export {
  validate,
  validateData,
  validateQuery,
  validateQueryResult,
  validateAgainst,
  assertValid,
  assertValidData,
  type ValidateOptions,
} from './validation/validate';
export { parseTransaction, assertTransaction, DEFAULT_MAX_BYTES, type ParseOptions } from './validation/parse';
export { PROTOTYPE_KEYS, MAX_ISSUES } from './validation/issues';

export { createTransaction, versionOf, type CreateTransactionOptions } from './transaction/create-transaction';
export { completeEnvelope, type CompleteEnvelopeOptions } from './transaction/complete-envelope';
export { normaliseUprn, normaliseUsrn, normalisePostcode } from './identifiers/normalise';
export { ConverterRegistry, converterRegistry, upcast, type Converter, type UpcastOptions } from './versioning/converters';

export { defineAdapter, checkCompatibility, validateConfig, assertConfig, findUnmarkedSecrets, isAdapterDefinition, type ConfigOwner } from './adapter/define-adapter';
export type {
  AdapterContext,
  AdapterDefinition,
  AdapterDomain,
  AdapterInstance,
  AdapterManifest,
  AdapterSpec,
  CallbackRequest,
  CallbackResult,
  Capability,
  Clock,
  HealthReport,
  Operation,
  OperationOptions,
  PollResult,
  QueryOperation,
  TransactionFor,
  TypesWith,
  AdapterHttpOptions,
  AdapterSoapOptions,
} from './adapter/adapter-types';

export { redact, redactTransaction, collectSecrets, collectMarkedValues, collectMarkedTexts, REDACTED, type MarkKeyword, type RedactOptions } from './redaction/redact';
export { maskPersonalData } from './redaction/mask-error';
export { isSecretName } from './redaction/secret-name';
export { escapeXml } from './xml/escape-xml';
export { backoffCeiling, fullJitterDelay, type BackoffPolicy, type RetryPolicy } from './retry/retry-policy';
export { createLogger, silentLogger, type LogEntry, type Logger, type LoggerOptions, type LogLevel } from './logging/logger';
