import { CHANNELS } from '../schema/channels';
import { schemaRegistry } from '../schema/schema-registry';
import type { Channel, Envelope } from '../types';
import { createTransaction } from './create-transaction';

export interface CompleteEnvelopeOptions {
  /** GSS code of the council the transaction is for (an API key's council, a stack's council). */
  council: string;
  /** The channel it came through, when the body names none (default `api`); the source follows it. */
  channel?: Channel;
  /** Idempotency key to use when the body gives none (an `Idempotency-Key` header, a form's key). */
  idempotencyKey?: string;
}

/**
 * Completes the short form `{type, data, ...}` of a transaction into a CloudEvents envelope: id, time,
 * dataschema, source, LGSL/LGIL defaults, council, channel and idempotency key. What the body gives
 * itself wins, and a valid channel it names wins over `options.channel` (the source follows it). A
 * full envelope (one with `specversion`), a body that is not an object, or one whose type is unknown
 * is returned as it is: validation then names what is wrong with it. Nothing is validated here.
 */
export function completeEnvelope(value: unknown, options: CompleteEnvelopeOptions): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const body = value as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(body, 'specversion')) return value;
  const type = body.type;
  if (typeof type !== 'string' || !schemaRegistry().has(type)) return value;
  const own = CHANNELS.find((c) => c === body.channel);
  let defaults: Envelope;
  try {
    defaults = createTransaction(type, body.data, {
      council: options.council,
      channel: own ?? options.channel ?? 'api',
      validate: false,
      ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
    });
  } catch {
    return value;
  }
  const { data: _data, ...attributes } = defaults;
  return { ...attributes, ...body };
}
