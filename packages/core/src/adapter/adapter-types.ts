import type { Logger } from '../logging/logger';
import type { HttpClient, HttpClientOptions } from '../http/http-client';
import type { SoapClient, SoapClientOptions } from '../soap/types';
import type { Envelope, JsonSchema, Transaction } from '../types';
import type { QueryParamsMap, QueryResultMap, QueryType, Receipt, StatusUpdate, TransactionType } from '../generated/types';

/** The operations an adapter can declare per capability. */
export type Operation = 'submit' | 'getStatus' | 'pollUpdates' | 'query' | 'handleCallback' | 'erase';

/** Service areas an adapter can cover. */
export type AdapterDomain =
  | 'waste'
  | 'highways'
  | 'street'
  | 'revenues'
  | 'benefits'
  | 'council_tax'
  | 'parking'
  | 'crm'
  | 'payments'
  | 'notifications'
  | 'housing'
  | 'planning'
  | 'other';

/** Who made the adapter, for what, and which adapter contract versions it works with. */
export interface AdapterManifest {
  /** Lower-case, hyphenated, unique (e.g. `govuk-pay`). */
  id: string;
  vendor: string;
  product: string;
  /** The adapter's own semver version. */
  version: string;
  /**
   * Semver range of the adapter contract the adapter supports (e.g. `^1.0.0`), checked against
   * `ADAPTER_CONTRACT_VERSION`, not against @lgx/core's package version (see docs/versioning.md).
   */
  sdk: string;
  domains: readonly AdapterDomain[];
  description?: string;
  homepage?: string;
  /** The published specification the adapter was built against. */
  specification?: { name: string; version: string; url?: string };
}

/** One transaction or query type the adapter handles, at which schema versions, with which operations. */
export interface Capability<T extends string = string> {
  type: T;
  versions: readonly number[];
  operations: readonly Operation[];
  /** How a repeated submit is made safe: vendor idempotency key, look-before-create, or nothing. */
  idempotency?: 'key' | 'lookup' | 'none';
}

/** A clock, injectable so tests control time. */
export interface Clock {
  now(): Date;
}

/** What an adapter's factory is given. */
export interface AdapterContext {
  /** Redacting logger, already bound to the adapter id and scrubbing its config secrets. */
  logger: Logger;
  clock: Clock;
  /** Aborted when the adapter instance is being shut down. */
  signal: AbortSignal;
  /** Mapping tables (council code to vendor code) from the stack configuration, by table name. */
  mappings: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The council this instance serves (GSS code), when the stack is for one council. */
  council?: string;
  /**
   * Creates an HTTP client bound to this adapter's logger, with the host's retry policy (the runtime
   * and the conformance suite decide how much the transport retries; adapters never loop themselves).
   */
  http(options: AdapterHttpOptions): HttpClient;
  /** Creates a SOAP client bound to this adapter's logger (needs the optional `soap` package). */
  soap(options: AdapterSoapOptions): SoapClient;
}

/** What an adapter chooses for its SOAP client; logging comes from the host. */
export type AdapterSoapOptions = Omit<SoapClientOptions, 'logger'>;

/** What an adapter chooses for its HTTP client; logging and retry policy come from the host. */
export type AdapterHttpOptions = Omit<HttpClientOptions, 'logger' | 'retry'>;

/** Passed to every operation call. */
export interface OperationOptions {
  /** Aborted on timeout or shutdown; adapters pass it to every network call. */
  signal: AbortSignal;
  /** Delivery attempt number, from 1. Informational: adapters never retry on their own. */
  attempt?: number;
}

/**
 * A citizen's erasure request (UK GDPR Article 17) passed on to the back office, for one record LGX
 * delivered to it. Holds references only: the person's values were erased from LGX before it is sent.
 */
export interface EraseRequest {
  /** The transaction type of the record (an adapter declares 'erase' per type). */
  type: string;
  /** The back office's reference of the record, from the delivery's receipt. */
  externalRef: string;
  /** The LGX transaction that created it, for the back office's own records. */
  transactionId: string;
}

/**
 * What the back office did with an erasure request: `erased` (done), `requested` (accepted, to be
 * done by the council's staff or a later job: `reference` names the request) or `not_found` (it holds
 * no such record any more). A failure is thrown, as from any operation.
 */
export interface EraseOutcome {
  status: 'erased' | 'requested' | 'not_found';
  /** The back office's reference of the erasure request, when it gives one. */
  reference?: string;
}

export interface HealthReport {
  ok: boolean;
  /** Short human summary, no secrets. */
  message?: string;
  latencyMs?: number;
  details?: Record<string, unknown>;
}

/** An inbound push from a vendor (webhook), as the gateway received it. */
export interface CallbackRequest {
  headers: Readonly<Record<string, string | undefined>>;
  /** The raw body bytes, exactly as received (signatures are computed over them). */
  body: Uint8Array;
  query?: Readonly<Record<string, string>>;
}

/** What handleCallback turns a push into. */
export interface CallbackResult {
  /** HTTP status to answer the vendor with (default 200 when accepted). */
  status?: number;
  updates: StatusUpdate[];
}

export interface PollResult {
  updates: StatusUpdate[];
  /** Opaque cursor to pass to the next poll; persisted by the runtime. */
  cursor: string;
}

type OpsOf<C> = C extends { operations: readonly (infer O)[] } ? O : never;
type TypeOf<C> = C extends { type: infer T } ? T : never;

/** The types among `Caps` that declare operation `O`. */
export type TypesWith<Caps extends readonly Capability[], O extends Operation> = {
  [I in keyof Caps]: O extends OpsOf<Caps[I]> ? TypeOf<Caps[I]> : never;
}[number];

/** The envelope an adapter receives for type `T` (typed for canonical types). */
export type TransactionFor<T> = T extends TransactionType ? Transaction<T> : Envelope;
type ParamsFor<T> = T extends QueryType ? QueryParamsMap[T] : unknown;
type ResultFor<T> = T extends QueryType ? QueryResultMap[T] : unknown;

/** The query operation, typed by the declared query types (a union when there are several). */
export type QueryOperation<T> = (type: T & string, params: ParamsFor<T>, options: OperationOptions) => Promise<ResultFor<T>>;

/**
 * The operations of a running adapter, given the envelope `submit` takes and the query types `query`
 * answers. Operations are methods, so an instance typed for some types is also an instance for any.
 */
interface AdapterOperations<Submitted, Queried> {
  check?(options: OperationOptions): Promise<HealthReport>;
  submit?(transaction: Submitted, options: OperationOptions): Promise<Receipt>;
  getStatus?(externalRef: string, options: OperationOptions): Promise<StatusUpdate>;
  pollUpdates?(cursor: string | undefined, options: OperationOptions): Promise<PollResult>;
  query?(type: Queried & string, params: ParamsFor<Queried>, options: OperationOptions): Promise<ResultFor<Queried>>;
  handleCallback?(request: CallbackRequest, options: OperationOptions): Promise<CallbackResult>;
  /** Passes a subject's erasure on to the back office, for a type whose capability declares 'erase'. */
  erase?(request: EraseRequest, options: OperationOptions): Promise<EraseOutcome>;
  close?(): Promise<void>;
}

/**
 * A running adapter. Each operation is optional, but one declared in a capability must be present.
 * Typed by its capabilities for the adapter that implements it; `AdapterInstance` with no type argument
 * is any adapter's instance, what a host holds and calls (every instance is assignable to it).
 */
export type AdapterInstance<Caps extends readonly Capability[] = readonly Capability[]> = AdapterOperations<
  TransactionFor<TypesWith<Caps, 'submit'>>,
  TypesWith<Caps, 'query'>
>;

/** An adapter's declared parts and its factory, given the instance type the factory makes. */
interface AdapterParts<Caps extends readonly Capability[], Instance, Config> {
  manifest: AdapterManifest;
  /** JSON Schema of the configuration; mark secrets with `x-lgx-secret: true`. */
  configSchema: JsonSchema;
  capabilities: Caps;
  create(context: AdapterContext, config: Config): Instance | Promise<Instance>;
}

/** What a vendor writes. */
export type AdapterSpec<Caps extends readonly Capability[], Config> = AdapterParts<Caps, AdapterInstance<Caps>, Config>;

interface BrandedAdapterParts<Caps extends readonly Capability[], Instance, Config> extends AdapterParts<Caps, Instance, Config> {
  readonly kind: 'lgx.adapter';
}

/**
 * What `defineAdapter` returns: the spec, checked, plus a brand the runtime recognises. With no type
 * arguments it is any adapter's definition, what a host loads and instantiates: every definition is
 * assignable to it, whatever its capabilities and config type.
 */
export type AdapterDefinition<Caps extends readonly Capability[] = readonly Capability[], Config = unknown> = BrandedAdapterParts<
  Caps,
  AdapterInstance<Caps>,
  Config
>;
