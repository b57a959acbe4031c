import { crmCaseFacts, PermanentError, type CrmCase } from '@lgx/core';
import { CASE_FIELDS, type CaseField, type CaseTable, type CodeMap, type DataverseConfig } from './config';

/** Where each case field goes when the council says nothing (the incident table's own columns). */
const DEFAULT_COLUMNS: Partial<Record<CaseField, string>> = {
  subject: 'title',
  description: 'description',
  priority: 'prioritycode',
  channel: 'caseorigincode',
  caseType: 'casetypecode',
  status: 'statuscode',
};

/** Option set values of the incident table (MicrosoftDocs incident.md): prioritycode and caseorigincode. */
const DEFAULT_CODES: Partial<Record<CaseField, CodeMap>> = {
  priority: { urgent: 1, high: 1, normal: 2, low: 3 },
  channel: { phone: 1, email: 2, web: 3 },
};

/** Fields whose default column is an option set: without a code the value cannot go there. */
const CODED_BY_DEFAULT: ReadonlySet<CaseField> = new Set(['priority', 'channel', 'caseType', 'status']);

/** The column each case field fills, defaults applied and `null` (left out) removed. */
export function caseColumns(config: DataverseConfig): Partial<Record<CaseField, string>> {
  const out: Partial<Record<CaseField, string>> = { ...DEFAULT_COLUMNS };
  for (const [field, column] of Object.entries(config.columns ?? {}) as Array<[CaseField, string | null]>) {
    if (column === null) delete out[field];
    else out[field] = column;
  }
  return out;
}

export interface CaseRow {
  body: Record<string, unknown>;
  /** Facts that had no column (counted in a log line, never logged themselves). */
  unsent: { attachments: number; attributes: number; uncoded: string[] };
}

/**
 * The row for a canonical case: each field in the column the council chose, option set values through
 * their codes, the customer bound by a lookup. A description longer than the column holds is refused
 * before anything is sent (cutting a citizen's words would lose them); a subject is cut to the title.
 */
export function caseRow(
  data: CrmCase,
  config: DataverseConfig,
  table: CaseTable,
  customer: { entitySet: string; id: string; contact: boolean } | undefined,
): CaseRow {
  const columns = caseColumns(config);
  const body: Record<string, unknown> = {};
  const uncoded: string[] = [];
  const put = (field: CaseField, value: string | number | undefined) => {
    const column = columns[field];
    if (column === undefined || value === undefined) return;
    const codes = config.codes?.[field as 'priority'] ?? DEFAULT_CODES[field];
    const explicit = config.columns?.[field] !== undefined;
    if (codes || (CODED_BY_DEFAULT.has(field) && !explicit)) {
      const code = codes && Object.hasOwn(codes, String(value)) ? codes[String(value)] : undefined;
      if (code === undefined) uncoded.push(field);
      else body[column] = code;
      return;
    }
    body[column] = value;
  };

  const facts = crmCaseFacts(data);
  const maxTitle = config.titleMaxLength ?? 200;
  if (data.subject.length > maxTitle) facts.subject = `${data.subject.slice(0, maxTitle - 1)}…`;
  const maxDescription = config.descriptionMaxLength ?? 2000;
  if (data.description !== undefined && columns.description !== undefined && data.description.length > maxDescription) {
    throw new PermanentError(
      `crm.case /description has ${data.description.length} characters; the Dataverse column '${columns.description}' holds ${maxDescription} (descriptionMaxLength). Nothing was sent.`,
      { code: 'LGX_ERR_ADAPTER_PERMANENT', details: { field: '/description', rule: 'maxLength', limit: maxDescription } },
    );
  }
  if (typeof facts.externalRefs === 'string') facts.externalRefs = facts.externalRefs.slice(0, 4000);
  for (const field of CASE_FIELDS) put(field, facts[field]);

  let attributes = 0;
  for (const [name, value] of Object.entries(data.attributes ?? {})) {
    const column = config.attributeColumns && Object.hasOwn(config.attributeColumns, name) ? config.attributeColumns[name] : undefined;
    if (column === undefined) attributes++;
    else body[column] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (customer)
    body[`${customer.contact ? table.contactLookup : table.accountLookup}@odata.bind`] = `/${customer.entitySet}(${customer.id})`;
  return { body, unsent: { attachments: data.attachments?.length ?? 0, attributes, uncoded } };
}
