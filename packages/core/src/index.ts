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
// The canonical schemas' types (generated); Channel comes from ./types above.
export type {
  Address,
  Attachment,
  Attachments,
  Attributes,
  BenefitsChangeOfCircumstances,
  BenefitsChangeOfCircumstancesV1,
  BenefitsChangeOfCircumstancesV1HouseholdChange,
  BenefitsChangeOfCircumstancesV1IncomeChange,
  Bng,
  CaseStatus,
  Code,
  CouncilTaxChangeOfAddress,
  CouncilTaxChangeOfAddressV1,
  CouncilTaxChangeOfAddressV1Landlord,
  CouncilTaxChangeOfAddressV1LiableParty,
  CouncilTaxChangeOfAddressV1MoveIn,
  CouncilTaxChangeOfAddressV1MoveOut,
  CouncilTaxChangeOfAddressV1OtherAdult,
  CouncilTaxChangeOfAddressV1Tenure,
  CouncilTaxDiscount,
  CouncilTaxDiscountV1,
  CouncilTaxDiscountV1AdultResident,
  CrmCase,
  CrmCaseV1,
  CrmCaseV1Contact,
  CrmContact,
  CrmContactV1,
  CrmContactV1Consent,
  CrmContactV1ContactAddress,
  Date,
  DateTime,
  Declaration,
  Email,
  ExternalReference,
  ExternalReferences,
  FeedbackSatisfaction,
  FeedbackSatisfactionV1,
  GssCode,
  JourneyStarted,
  JourneyStartedV1,
  Lgil,
  Lgsl,
  Location,
  Money,
  Notification,
  NotificationV1,
  ParkingPermitApplication,
  ParkingPermitApplicationV1,
  ParkingPermitApplicationV1Duration,
  Payment,
  PaymentV1,
  PaymentV2,
  PaymentV2LineItem,
  Pence,
  Person,
  Phone,
  Postcode,
  QueryParamsMap,
  QueryResultMap,
  QueryType,
  Receipt,
  ReceiptV1,
  Reference,
  Requester,
  RevenuesAccountEnquiry,
  RevenuesAccountEnquiryResult,
  RevenuesAccountEnquiryResultV1,
  RevenuesAccountEnquiryResultV1DiscountApplied,
  RevenuesAccountEnquiryResultV1FinancialYear,
  RevenuesAccountEnquiryResultV1Instalment,
  RevenuesAccountEnquiryResultV1SignedPence,
  RevenuesAccountEnquiryResultV1YearSummary,
  RevenuesAccountEnquiryV1,
  RevenuesAccountEnquiryV1FinancialYear,
  RevenuesDirectDebitMandate,
  RevenuesDirectDebitMandateV1,
  ShortText,
  StatusUpdate,
  StatusUpdateV1,
  StatusUpdateV1NotificationDetail,
  StatusUpdateV1PaymentDetail,
  StatusUpdateV1Refund,
  StreetReport,
  StreetReportV1,
  Text,
  TransactionDataMap,
  TransactionDataVersions,
  TransactionType,
  Uprn,
  Usrn,
  WasteBulkyBooking,
  WasteBulkyBookingV1,
  WasteCollectionSchedule,
  WasteCollectionScheduleResult,
  WasteCollectionScheduleResultV1,
  WasteCollectionScheduleResultV1CollectionEventType,
  WasteCollectionScheduleResultV1Container,
  WasteCollectionScheduleResultV1MaterialStream,
  WasteCollectionScheduleResultV1ScheduledService,
  WasteCollectionScheduleResultV1Service,
  WasteCollectionScheduleV1,
  WasteContainerRequest,
  WasteContainerRequestV1,
  WasteContainerRequestV1Container,
  WasteContainerRequestV1Service,
  WasteGardenSubscription,
  WasteGardenSubscriptionV1,
  WasteMissedCollection,
  WasteMissedCollectionV1,
  WasteMissedCollectionV1CollectionEventType,
  WasteMissedCollectionV1Container,
  WasteMissedCollectionV1Service,
  Wgs84,
} from './generated/types';

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
export { crmCaseFacts, addressLine, CRM_CASE_FACTS, CRM_CASE_PERSON_FACTS, type CrmCaseFact } from './transaction/crm-case-facts';
export { normaliseUprn, normaliseUsrn, normalisePostcode } from './identifiers/normalise';
export { ConverterRegistry, converterRegistry, upcast, type Converter, type UpcastOptions } from './versioning/converters';

export {
  defineAdapter,
  checkCompatibility,
  validateConfig,
  assertConfig,
  findUnmarkedSecrets,
  isAdapterDefinition,
  type ConfigOwner,
} from './adapter/define-adapter';
export { urlSetting, type UrlSettingOptions } from './adapter/url-setting';
export { apiKeySetting } from './adapter/api-key-setting';
export { mapSetting, CANONICAL_CODE_KEYS, ATTRIBUTE_NAME_KEYS, type MapSettingOptions } from './adapter/map-setting';
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
  EraseOutcome,
  EraseRequest,
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

export { SERVABLE_TYPES, servableCapabilities, notConfigured, configuredSubmit, type ServableType } from './declarative/servable-types';
export {
  compileMapping,
  plainJson,
  type JsonataCompiler,
  type MappingBindings,
  type MappingExpression,
} from './declarative/mapping-expression';
export { MappingResults, type MappingResultsOptions } from './declarative/mapping-results';
export { EXPRESSION_SETTING } from './declarative/expression-setting';

export {
  redact,
  redactTransaction,
  collectSecrets,
  collectMarkedValues,
  collectMarkedTexts,
  REDACTED,
  type MarkKeyword,
  type RedactOptions,
} from './redaction/redact';
export { maskPersonalData } from './redaction/mask-error';
export { isSecretName } from './redaction/secret-name';
export { escapeXml } from './xml/escape-xml';
export { backoffCeiling, fullJitterDelay, type BackoffPolicy, type RetryPolicy } from './retry/retry-policy';
export { createLogger, silentLogger, type LogEntry, type Logger, type LoggerOptions, type LogLevel } from './logging/logger';
export { deadline, type Deadline } from './transport/deadline';
