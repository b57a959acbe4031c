import { schemaRegistry, type SchemaRegistry } from '../schema/schema-registry';
import { assertValid } from '../validation/validate';
import { parseSchemaId } from '../schema/schema-id';
import type { Channel, Envelope, Transaction } from '../types';
import type { TransactionDataMap, TransactionType } from '../generated/types';

export interface CreateTransactionOptions {
  /** GSS code of the council the transaction is for. */
  council: string;
  /** The channel's key for this request (default: the new id). Reuse it when retrying the same request. */
  idempotencyKey?: string;
  /** CloudEvents source (default `/councils/<council>/channels/<channel or api>`). */
  source?: string;
  channel?: Channel;
  correlationId?: string;
  /** What it is about (a UPRN, USRN or case reference); never personal data. */
  subject?: string;
  /** Schema major version of `data` (default: the latest). */
  version?: number;
  /** LGSL service code (default: the type's only code, when its schema lists exactly one). */
  lgsl?: number;
  /** LGIL interaction code (default: the type's only code, when its schema lists exactly one). */
  lgil?: number;
  id?: string;
  time?: Date | string;
  /** Validate before returning (default true): throws LgxValidationError listing every issue. */
  validate?: boolean;
  registry?: SchemaRegistry;
}

/**
 * Builds a complete CloudEvents envelope for a transaction: id, time, source, dataschema and the LGX
 * extension attributes, then validates it.
 */
export function createTransaction<K extends TransactionType>(
  type: K,
  data: TransactionDataMap[K],
  options: CreateTransactionOptions,
): Transaction<K>;
export function createTransaction(type: string, data: unknown, options: CreateTransactionOptions): Envelope;
export function createTransaction(type: string, data: unknown, options: CreateTransactionOptions): Envelope {
  const registry = options.registry ?? schemaRegistry();
  const entry = registry.get(type, options.version);
  const id = options.id ?? globalThis.crypto.randomUUID();
  const channel = options.channel;
  const time = options.time instanceof Date ? options.time.toISOString() : (options.time ?? new Date().toISOString());
  const envelope: Envelope = {
    specversion: '1.0',
    id,
    source: options.source ?? `/councils/${options.council}/channels/${channel ?? 'api'}`,
    type,
    time,
    datacontenttype: 'application/json',
    dataschema: entry.$id,
    council: options.council,
    idempotencykey: options.idempotencyKey ?? id,
    data,
  };
  if (options.subject !== undefined) envelope.subject = options.subject;
  if (options.correlationId !== undefined) envelope.correlationid = options.correlationId;
  if (channel !== undefined) envelope.channel = channel;
  const lgsl = options.lgsl ?? (entry.lgsl.length === 1 ? entry.lgsl[0] : undefined);
  const lgil = options.lgil ?? (entry.lgil.length === 1 ? entry.lgil[0] : undefined);
  if (lgsl !== undefined) envelope.lgsl = lgsl;
  if (lgil !== undefined) envelope.lgil = lgil;
  return options.validate === false ? envelope : assertValid(envelope, { registry });
}

/** The major version of an envelope's data, from its `dataschema`. */
export function versionOf(envelope: Pick<Envelope, 'dataschema'>): number | undefined {
  return parseSchemaId(envelope.dataschema)?.major;
}
