/** Public types of @lgx/core. Types generated from the canonical schemas live in ./generated/types. */
import type { TransactionDataMap, TransactionType } from './generated/types';

/** A JSON Schema document or subschema (2020-12). */
export type JsonSchema = { [keyword: string]: unknown };

/** One problem found by validation. */
export interface ValidationIssue {
  /** JSON pointer to the offending value (for a missing or extra property, to that property). */
  path: string;
  /** The schema rule broken: the JSON Schema keyword (`required`, `pattern`, `enum` ...) or an LGX rule. */
  rule: string;
  /** A sentence for people. Never contains the offending value. */
  message: string;
  /** Rule parameters, e.g. the allowed values of an enum. */
  params?: Record<string, unknown>;
}

/**
 * The result of validation: the typed value, or the issues found. `issues` lists at most the first
 * `maxIssues` (100 unless asked otherwise, so a hostile payload cannot make the answer huge);
 * `issueCount` says how many there were in all.
 */
export type ValidationResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[]; issueCount?: number };

/** What a schema is. */
export type SchemaKind = 'transaction' | 'query' | 'result' | 'contract';

/** A registered schema. */
export interface SchemaEntry {
  /** Transaction or query type, e.g. `waste.missedCollection`. */
  type: string;
  major: number;
  kind: SchemaKind;
  $id: string;
  title: string;
  description: string;
  lgsl: readonly number[];
  lgil: readonly number[];
  deprecated: boolean;
  /** For a query: the `$id` of its result schema. */
  resultId?: string;
  schema: JsonSchema;
}

/** LGX extension attributes carried on the CloudEvents envelope. */
export interface EnvelopeExtensions {
  /** GSS code of the council. */
  council: string;
  idempotencykey: string;
  correlationid?: string;
  channel?: Channel;
  lgsl?: number;
  lgil?: number;
}

/** The channel a transaction came in by. */
export type Channel = 'web' | 'app' | 'phone' | 'face_to_face' | 'email' | 'post' | 'staff' | 'open311' | 'api';

/** A CloudEvents 1.0 envelope carrying an LGX transaction. */
export interface Envelope<T = unknown> extends EnvelopeExtensions {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  subject?: string;
  datacontenttype?: 'application/json';
  dataschema: string;
  data: T;
  [extension: string]: unknown;
}

/** An envelope whose `type` and `data` are one of the canonical transaction types. */
export type Transaction<K extends TransactionType = TransactionType> = K extends TransactionType
  ? Envelope<TransactionDataMap[K]> & { type: K }
  : never;
