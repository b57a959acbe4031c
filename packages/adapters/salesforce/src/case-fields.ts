import { CRM_CASE_FACTS, crmCaseFacts, PermanentError, type CrmCase } from '@lgx/core';
import type { CaseFact, SalesforceConfig, ValueMap } from './config';

/** Where each fact goes when the council says nothing: the standard Case fields (object reference, Case). */
const DEFAULT_FIELDS: Partial<Record<CaseFact, string>> = {
  subject: 'Subject',
  description: 'Description',
  priority: 'Priority',
  channel: 'Origin',
  caseType: 'Type',
  category: 'Reason',
  status: 'Status',
  personName: 'SuppliedName',
  email: 'SuppliedEmail',
  phone: 'SuppliedPhone',
};

/** The picklist values orgs start with for Priority and Origin. */
const DEFAULT_VALUES: Partial<Record<CaseFact, ValueMap>> = {
  priority: { urgent: 'High', high: 'High', normal: 'Medium', low: 'Low' },
  channel: { phone: 'Phone', email: 'Email', web: 'Web' },
};

/** Facts whose default field is a picklist: without a value for the canonical code they stay out. */
const PICKLISTS: ReadonlySet<CaseFact> = new Set(['priority', 'channel', 'caseType', 'category', 'status']);

/** Facts cut to the standard Case field they default to: SuppliedName holds 80 characters, a text field 255. */
const MAX_LENGTH: Partial<Record<CaseFact, number>> = { personName: 80, externalRefs: 255 };

/** A Salesforce Contact id: 15 or 18 characters starting with the Contact key prefix 003. */
const CONTACT_ID = /^003[a-zA-Z0-9]{12}([a-zA-Z0-9]{3})?$/;

export interface CaseBody {
  body: Record<string, unknown>;
  /** Facts that had no field (a count goes in a log line, never the facts). */
  unsent: { attachments: number; attributes: number; unmapped: string[] };
}

/**
 * The Case body for a canonical case: each fact in the field the council chose, picklists through
 * their values, the contact as ContactId (or by a Contact external id), the person as the Web-to-Case
 * "supplied" fields. The external id field is never in the body: it is in the URL.
 */
export function caseBody(data: CrmCase, config: SalesforceConfig): CaseBody {
  const fields: Partial<Record<CaseFact, string>> = { ...DEFAULT_FIELDS };
  for (const [fact, field] of Object.entries(config.fields ?? {}) as Array<[CaseFact, string | null]>) {
    if (field === null) delete fields[fact];
    else fields[fact] = field;
  }
  const body: Record<string, unknown> = {};
  const unmapped: string[] = [];
  const set = (fact: CaseFact, value: string | number | undefined) => {
    const field = fields[fact];
    if (field === undefined || value === undefined || value === '') return;
    const values = config.values?.[fact as 'priority'] ?? DEFAULT_VALUES[fact];
    if (!values && !(PICKLISTS.has(fact) && config.fields?.[fact] === undefined)) {
      body[field] = value;
      return;
    }
    const mapped = values && Object.hasOwn(values, String(value)) ? values[String(value)] : undefined;
    if (mapped === undefined) unmapped.push(fact);
    else body[field] = mapped;
  };

  const facts = crmCaseFacts(data);
  for (const fact of CRM_CASE_FACTS) {
    const value = facts[fact];
    const max = MAX_LENGTH[fact];
    set(fact, max !== undefined && typeof value === 'string' ? value.slice(0, max) : value);
  }

  const ref = data.contact?.contactRef;
  if (ref !== undefined) {
    if (CONTACT_ID.test(ref)) body.ContactId = ref;
    else if (config.contactExternalIdField) body.Contact = { [config.contactExternalIdField]: ref };
    else
      throw new PermanentError(
        'crm.case /contact/contactRef is not a Salesforce Contact id (003…): set contactExternalIdField to relate it by an external id; nothing was sent',
        { details: { field: '/contact/contactRef', rule: 'format' } },
      );
  }

  let attributes = 0;
  for (const [name, value] of Object.entries(data.attributes ?? {})) {
    const field = config.attributeFields && Object.hasOwn(config.attributeFields, name) ? config.attributeFields[name] : undefined;
    if (field === undefined) attributes++;
    else body[field] = Array.isArray(value) ? value.join(';') : value;
  }
  return { body, unsent: { attachments: data.attachments?.length ?? 0, attributes, unmapped } };
}
