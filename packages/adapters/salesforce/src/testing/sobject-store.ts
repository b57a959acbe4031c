/**
 * The records the Salesforce simulator keeps (Case, Contact, and the CaseStatus picklist) and the
 * checks the REST API makes on a write, answered in its error format: a JSON array of
 * `{ message, errorCode, fields }` (developer.salesforce.com api_rest errorcodes.htm; object reference,
 * Case and CaseStatus).
 */
import { randomBytes } from 'node:crypto';
import { SimulatorHttpError } from '@lgx/testkit';

export interface SfRecord {
  Id: string;
  fields: Record<string, unknown>;
  /** Milliseconds since the epoch (SystemModstamp, what getUpdated reads). */
  modstamp: number;
  created: number;
}

export interface CaseStatusValue {
  ApiName: string;
  MasterLabel: string;
  IsClosed: boolean;
  IsDefault: boolean;
  SortOrder: number;
}

/** The statuses most orgs start with (Service Cloud defaults). */
export const DEFAULT_CASE_STATUSES: readonly CaseStatusValue[] = [
  { ApiName: 'New', MasterLabel: 'New', IsClosed: false, IsDefault: true, SortOrder: 1 },
  { ApiName: 'Working', MasterLabel: 'Working', IsClosed: false, IsDefault: false, SortOrder: 2 },
  { ApiName: 'Escalated', MasterLabel: 'Escalated', IsClosed: false, IsDefault: false, SortOrder: 3 },
  { ApiName: 'Closed', MasterLabel: 'Closed', IsClosed: true, IsDefault: false, SortOrder: 4 },
];

type FieldKind = 'string' | 'textarea' | 'email' | 'phone' | 'picklist' | 'reference' | 'number' | 'boolean';

interface FieldDef {
  kind: FieldKind;
  max?: number;
  /** Set by the platform: refused on create and update. */
  readOnly?: boolean;
  /** For references: the object it points to. */
  to?: 'Contact' | 'Account';
}

const SYSTEM: Record<string, FieldDef> = {
  Id: { kind: 'string', readOnly: true },
  CreatedDate: { kind: 'string', readOnly: true },
  LastModifiedDate: { kind: 'string', readOnly: true },
  SystemModstamp: { kind: 'string', readOnly: true },
};

export const CASE_FIELDS: Readonly<Record<string, FieldDef>> = {
  ...SYSTEM,
  CaseNumber: { kind: 'string', readOnly: true },
  IsClosed: { kind: 'boolean', readOnly: true },
  Subject: { kind: 'string', max: 255 },
  Description: { kind: 'textarea', max: 32000 },
  Status: { kind: 'picklist', max: 255 },
  Priority: { kind: 'picklist', max: 255 },
  Origin: { kind: 'picklist', max: 255 },
  Type: { kind: 'picklist', max: 255 },
  Reason: { kind: 'picklist', max: 255 },
  ContactId: { kind: 'reference', to: 'Contact' },
  AccountId: { kind: 'reference', to: 'Account' },
  SuppliedName: { kind: 'string', max: 80 },
  SuppliedEmail: { kind: 'email', max: 80 },
  SuppliedPhone: { kind: 'phone', max: 40 },
  SuppliedCompany: { kind: 'string', max: 80 },
};

export const CONTACT_FIELDS: Readonly<Record<string, FieldDef>> = {
  ...SYSTEM,
  FirstName: { kind: 'string', max: 40 },
  LastName: { kind: 'string', max: 80 },
  Email: { kind: 'email', max: 80 },
  Phone: { kind: 'phone', max: 40 },
};

export const ID_PREFIX = { Case: '500', Contact: '003', Account: '001' } as const;

/** An 18-character record id with the object's key prefix. */
export function newId(object: keyof typeof ID_PREFIX): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return ID_PREFIX[object] + Array.from(randomBytes(15), (b) => alphabet[b % alphabet.length]).join('');
}

export function sfError(
  status: number,
  errorCode: string,
  message: string,
  fields?: string[],
  headers: Record<string, string> = {},
): SimulatorHttpError {
  return new SimulatorHttpError(status, [{ message, errorCode, ...(fields ? { fields } : {}) }], headers);
}

/** Salesforce's date-time format: 2026-05-12T10:00:00.000+0000. */
export function sfDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export interface WriteContext {
  object: 'Case' | 'Contact';
  /** Custom fields the org has on the object (`__c`). */
  customFields: ReadonlySet<string>;
  statuses: readonly CaseStatusValue[];
  /** Finds a record by id, or by an external id field's value (relationship by external id). */
  findContact(id: string): SfRecord | undefined;
  findContactByExternalId(field: string, value: string): SfRecord | undefined;
  contactExternalIdFields: ReadonlySet<string>;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Checks a create or update body and returns the field values it sets. */
export function checkSobjectWrite(body: unknown, ctx: WriteContext): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw sfError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object.');
  const defs = ctx.object === 'Case' ? CASE_FIELDS : CONTACT_FIELDS;
  const out: Record<string, unknown> = {};
  const readOnly: string[] = [];
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (name === 'attributes') continue;
    // A lookup set through the related record's external id: "Contact": { "Ext__c": "value" }.
    if (ctx.object === 'Case' && name === 'Contact' && typeof value === 'object' && value !== null) {
      const [[field, ref] = []] = Object.entries(value as Record<string, unknown>);
      if (!field || !ctx.contactExternalIdFields.has(field) || typeof ref !== 'string')
        throw sfError(400, 'INVALID_FIELD', `Foreign key external ID field ${String(field)} is not an external ID field of Contact`);
      const contact = ctx.findContactByExternalId(field, ref);
      if (!contact)
        throw sfError(400, 'INVALID_FIELD', `Foreign key external ID: ${ref.slice(0, 40)} not found for field ${field} in entity Contact`);
      out.ContactId = contact.Id;
      continue;
    }
    const def = defs[name] ?? (ctx.customFields.has(name) ? ({ kind: 'string', max: 255 } as FieldDef) : undefined);
    if (!def) throw sfError(400, 'INVALID_FIELD', `No such column '${name.slice(0, 80)}' on sobject of type ${ctx.object}`);
    if (def.readOnly) {
      readOnly.push(name);
      continue;
    }
    if (value === null) {
      out[name] = null;
      continue;
    }
    if (def.kind === 'number' && typeof value !== 'number')
      throw sfError(400, 'INVALID_TYPE_ON_FIELD_IN_RECORD', `${name}: value not of required type`, [name]);
    if (def.kind === 'boolean' && typeof value !== 'boolean')
      throw sfError(400, 'INVALID_TYPE_ON_FIELD_IN_RECORD', `${name}: value not of required type`, [name]);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
      throw sfError(400, 'JSON_PARSER_ERROR', `Cannot deserialize value for field ${name}`);
    const text = String(value);
    // Salesforce repeats the value it refuses in the message.
    if (def.max !== undefined && text.length > def.max)
      throw sfError(400, 'STRING_TOO_LONG', `${name}: data value too large: ${text} (max length=${def.max})`, [name]);
    if (def.kind === 'email' && !EMAIL.test(text))
      throw sfError(400, 'INVALID_EMAIL_ADDRESS', `${name}: invalid email address: ${text}`, [name]);
    if (def.kind === 'reference') {
      if (!/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(text) || !text.startsWith(ID_PREFIX[def.to!]))
        throw sfError(400, 'MALFORMED_ID', `${def.to} ID: id value of incorrect type: ${text}`, [name]);
      if (def.to === 'Contact' && !ctx.findContact(text))
        throw sfError(400, 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [name]);
    }
    if (ctx.object === 'Case' && name === 'Status' && !ctx.statuses.some((s) => s.ApiName === text)) {
      throw sfError(400, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `Status: bad value for restricted picklist field: ${text}`, ['Status']);
    }
    out[name] = value;
  }
  if (readOnly.length)
    throw sfError(
      400,
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      readOnly,
    );
  return out;
}

/** A record as the REST API returns it, with `attributes` and the fields asked for (all when none). */
export function sobjectJson(
  object: string,
  record: SfRecord,
  version: string,
  fields: readonly string[] | undefined,
): Record<string, unknown> {
  const all: Record<string, unknown> = {
    Id: record.Id,
    ...record.fields,
    CreatedDate: sfDate(record.created),
    LastModifiedDate: sfDate(record.modstamp),
    SystemModstamp: sfDate(record.modstamp),
  };
  const names = fields ?? Object.keys(all);
  const out: Record<string, unknown> = { attributes: { type: object, url: `/services/data/${version}/sobjects/${object}/${record.Id}` } };
  for (const name of names) out[name] = all[name] ?? null;
  return out;
}

/** Field names a read asks for that the object does not have. */
export function unknownFields(object: 'Case' | 'Contact', fields: readonly string[], customFields: ReadonlySet<string>): string[] {
  const defs = object === 'Case' ? CASE_FIELDS : CONTACT_FIELDS;
  return fields.filter((f) => !defs[f] && !customFields.has(f));
}
