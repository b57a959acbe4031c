import {
  ATTRIBUTE_NAME_KEYS,
  CANONICAL_CODE_KEYS,
  CASE_STATUSES,
  CRM_CASE_FACTS,
  CRM_CASE_PERSON_FACTS,
  mapSetting,
  urlSetting,
  type CrmCaseFact,
} from '@lgx/core';
import type { DataverseConfig } from './generated/config-types';

const COLUMN = { type: 'string', pattern: '^[a-z][a-z0-9_]{0,99}$' } as const;
const GUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/** A canonical value -> the vendor's value (an option set integer, or text for a text column). */
const CODE_MAP = mapSetting({
  keys: CANONICAL_CODE_KEYS,
  values: {
    anyOf: [
      { type: 'integer', minimum: -2147483648, maximum: 2147483647 },
      { type: 'string', minLength: 1, maxLength: 4000 },
    ],
  },
});

/** The canonical crm.case fields a column can be filled from: the person goes to a contact row, not the case. */
export const CASE_FIELDS = CRM_CASE_FACTS.filter((fact) => !CRM_CASE_PERSON_FACTS.has(fact)) as Array<
  Exclude<CrmCaseFact, 'personName' | 'email' | 'phone'>
>;
export type CaseField = (typeof CASE_FIELDS)[number];

/** The adapter's configuration, declared as JSON Schema so hosts can validate it and know its secrets. */
export const configSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Microsoft Dataverse adapter configuration',
  type: 'object',
  required: ['url', 'tenantId', 'clientId', 'clientSecret'],
  additionalProperties: false,
  properties: {
    url: urlSetting(
      'The environment URL, e.g. https://council.crm11.dynamics.com (the Web API is under /api/data/v9.2; the token scope is <url>/.default).',
      { hostOnly: true, maxLength: 300 },
    ),
    tenantId: {
      type: 'string',
      pattern: '^[A-Za-z0-9][A-Za-z0-9.-]{0,99}$',
      description: 'The Microsoft Entra tenant (directory) id or domain the app registration lives in.',
    },
    clientId: {
      type: 'string',
      minLength: 1,
      maxLength: 100,
      description: "The app registration's application (client) id; Dataverse must have an application user for it.",
    },
    clientSecret: {
      type: 'string',
      minLength: 1,
      maxLength: 1024,
      'x-lgx-secret': true,
      description: 'A client secret of the app registration (its value, not its id).',
    },
    authorityHost: urlSetting('The Entra ID authority host (default https://login.microsoftonline.com; a national cloud has its own).', {
      hostOnly: true,
    }),
    apiVersion: { type: 'string', enum: ['9.0', '9.1', '9.2'], description: 'Web API version (default 9.2).' },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 120000, description: 'Per-request timeout (default 15000).' },
    keyColumn: {
      ...COLUMN,
      description:
        'The text column holding the LGX transaction id, with an alternate key on it, on the case table and on contacts (default lgx_transactionid). Submits are create-only upserts on it, so a repeat never makes a second row.',
    },
    caseTable: {
      type: 'object',
      additionalProperties: false,
      description: 'The table cases go to, for councils that use their own (default the incident table).',
      properties: {
        entitySet: { ...COLUMN, description: 'Entity set name (default incidents).' },
        logicalName: { ...COLUMN, description: 'Logical name, for record links (default incident).' },
        primaryKey: { ...COLUMN, description: 'Primary key column (default incidentid).' },
        contactLookup: { ...COLUMN, description: 'Navigation property binding the case to a contact (default customerid_contact).' },
        accountLookup: { ...COLUMN, description: 'Navigation property binding the case to an account (default customerid_account).' },
      },
    },
    columns: {
      type: 'object',
      additionalProperties: false,
      description:
        'Case field -> column it fills, for customised tables; null leaves a default out. Defaults: subject title, description description, priority prioritycode, channel caseorigincode, caseType casetypecode and status statuscode (these three only with a code for the value); others unset.',
      properties: Object.fromEntries(CASE_FIELDS.map((f) => [f, { anyOf: [COLUMN, { type: 'null' }] }])),
    },
    attributeColumns: mapSetting({
      keys: ATTRIBUTE_NAME_KEYS,
      values: COLUMN,
      maxProperties: 50,
      description:
        "The case's attributes{} -> columns, e.g. {callbackRequested: 'lgx_callbackrequested'}; attributes not listed are not sent.",
    }),
    contactColumns: {
      type: 'object',
      additionalProperties: false,
      description: 'Contact table columns for facts without a standard column (unset: not sent).',
      properties: { uprn: COLUMN, accountRef: COLUMN, preferredLanguage: COLUMN },
    },
    codes: {
      type: 'object',
      additionalProperties: false,
      description:
        'Canonical value -> option set value (or text), per field. Defaults: priority {urgent: 1, high: 1, normal: 2, low: 3}, channel {phone: 1, email: 2, web: 3}; caseType, category and status have none (add e.g. caseType {complaint: 2}). A value without a code is not sent.',
      properties: { priority: CODE_MAP, channel: CODE_MAP, caseType: CODE_MAP, category: CODE_MAP, status: CODE_MAP },
    },
    titleMaxLength: {
      type: 'integer',
      minimum: 1,
      maximum: 4000,
      description: 'A longer subject is cut to this many characters for the title column (default 200, the incident title).',
    },
    descriptionMaxLength: {
      type: 'integer',
      minimum: 1,
      maximum: 1048576,
      description: 'A longer description is refused (permanent, before sending) rather than cut (default 2000, the incident description).',
    },
    anonymousCustomer: {
      type: 'object',
      required: ['entitySet', 'id'],
      additionalProperties: false,
      description: 'The account (or contact) a case without a contact is filed under: Dataverse requires a customer on every case.',
      properties: { entitySet: { type: 'string', enum: ['accounts', 'contacts'] }, id: { type: 'string', pattern: GUID } },
    },
    statusMap: {
      type: 'object',
      maxProperties: 200,
      propertyNames: { pattern: '^([0-9]{1,10}|state:[0-9]{1,2})$' },
      additionalProperties: { type: 'string', enum: CASE_STATUSES },
      description: "statuscode (e.g. '100000001') or 'state:<statecode>' -> canonical status; wins over the defaults.",
    },
    changeTracking: { type: 'boolean', description: 'Poll with change tracking (default true); false polls by modifiedon.' },
    maxPageSize: { type: 'integer', minimum: 1, maximum: 5000, description: 'Rows per page when polling (default 500).' },
  },
} as const;

export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';

// The configuration's types are generated from configSchema (scripts/generators/config-types.ts), so the two cannot drift.
export type { CodeMap, DataverseConfig } from './generated/config-types';

/** The case table with every default filled in. */
export interface CaseTable {
  entitySet: string;
  logicalName: string;
  primaryKey: string;
  contactLookup: string;
  accountLookup: string;
}

export function caseTableOf(config: DataverseConfig): CaseTable {
  return {
    entitySet: config.caseTable?.entitySet ?? 'incidents',
    logicalName: config.caseTable?.logicalName ?? 'incident',
    primaryKey: config.caseTable?.primaryKey ?? 'incidentid',
    contactLookup: config.caseTable?.contactLookup ?? 'customerid_contact',
    accountLookup: config.caseTable?.accountLookup ?? 'customerid_account',
  };
}
