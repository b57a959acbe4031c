import { schemaId, schemaRegistry, type Envelope, type JsonSchema, type Receipt, type StatusUpdate } from '@lgx/core';
import { sealMarkedFields } from '../crypto/sealed-fields';
import type { PersonalDataEraser } from '../store/store-erasure';

/**
 * What every erased personal value becomes. A string in place of each marked field keeps every field
 * a schema requires present; a field whose schema also fixes a format or pattern (an email, a sort
 * code) no longer matches it, which is why an erased transaction is never delivered again.
 */
export const ERASED = '[ERASED]';

const RECEIPT_SCHEMA = schemaId('receipt', 1);

function dataSchemaOf(envelope: Pick<Envelope, 'dataschema'>): JsonSchema {
  const entry = typeof envelope.dataschema === 'string' ? schemaRegistry().getById(envelope.dataschema) : undefined;
  // A payload of an unknown schema is personal data whole, as masking treats it.
  return entry?.schema ?? { 'x-lgx-pii': true };
}

const erased = (value: unknown, schema: JsonSchema): unknown => sealMarkedFields(value, schema, '', () => ERASED);

/**
 * The eraser subject erasure uses: marked fields found by the same schema walk sealing and masking
 * use, so whatever was sealed (or masked) is what is erased, whether the stored value is sealed or not.
 */
export const personalDataEraser: PersonalDataEraser = {
  envelope: (envelope) => ({ ...envelope, data: erased(envelope.data, dataSchemaOf(envelope)) }),
  statusUpdate: (update) => erased(update, schemaRegistry().get('statusUpdate').schema) as StatusUpdate,
  receipt: (receipt) => {
    const entry = schemaRegistry().getById(RECEIPT_SCHEMA);
    const { externalRef } = receipt;
    if (!entry) return { externalRef } as Receipt;
    const out = erased(receipt, entry.schema) as Receipt;
    // The back office's free-form attributes may echo anything the citizen gave.
    if (out.attributes !== undefined) out.attributes = { erased: true };
    return { ...out, externalRef };
  },
  message: ERASED,
};
