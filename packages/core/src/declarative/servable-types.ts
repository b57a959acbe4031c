import type { Capability } from '../adapter/adapter-types';
import { UnsupportedError } from '../errors/adapter-errors';
import type { Envelope } from '../types';
import { parseSchemaId } from '../schema/schema-id';
import { assertValidData } from '../validation/validate';

/**
 * The transaction types an adapter that maps by configuration can take: every canonical transaction
 * type (statusUpdate excepted: that one flows from back offices). Which of them works for a council
 * is what its configuration maps; a type without a mapping is refused as unsupported.
 */
export const SERVABLE_TYPES = [
  'street.report',
  'waste.missedCollection',
  'waste.bulkyBooking',
  'waste.containerRequest',
  'waste.gardenSubscription',
  'councilTax.changeOfAddress',
  'councilTax.discount',
  'revenues.directDebitMandate',
  'benefits.changeOfCircumstances',
  'parking.permitApplication',
  'crm.case',
  'crm.contact',
  'payment',
  'notification',
] as const;

export type ServableType = (typeof SERVABLE_TYPES)[number];

const VERSIONS: Partial<Record<ServableType, readonly number[]>> = { payment: [1, 2] };

/**
 * Submit, getStatus and pollUpdates for each of `types`, at every version the mappings may read,
 * with each type's idempotency as given ('key' where not given: the request passes the envelope's
 * idempotency key to a back office that dedupes on it).
 */
export function servableCapabilities<T extends ServableType>(
  types: readonly T[],
  idempotency: Partial<Record<ServableType, 'key' | 'lookup' | 'none'>> = {},
): Array<Capability<T>> {
  return types.map((type) => ({
    type,
    versions: VERSIONS[type] ?? [1],
    operations: ['submit', 'getStatus', 'pollUpdates'] as const,
    idempotency: idempotency[type] ?? ('key' as const),
  }));
}

/** An operation the council's configuration has no mapping for. */
export function notConfigured(what: string, setting: string): UnsupportedError {
  return new UnsupportedError(`${what} is not configured for this back office (set '${setting}' in the adapter config)`);
}

/**
 * The submit the council's configuration maps for the transaction's type, once its data has passed
 * the schema of the version it names: nothing unmapped and nothing invalid reaches the back office.
 */
export function configuredSubmit<T>(submits: ReadonlyMap<string, T>, tx: Envelope): T {
  const submit = submits.get(tx.type);
  if (submit === undefined) throw notConfigured(`submitting '${tx.type}'`, `operations.${tx.type}.submit`);
  const version = parseSchemaId(tx.dataschema)?.major;
  assertValidData(tx.type, tx.data, version !== undefined ? { version } : {});
  return submit;
}
