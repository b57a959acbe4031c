import {
  ATTRIBUTE_NAME_KEYS,
  CANONICAL_CODE_KEYS,
  CASE_STATUSES,
  CRM_CASE_FACTS,
  mapSetting,
  urlSetting,
  type CrmCaseFact,
} from '@lgx/core';

const FIELD = { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,79}$' } as const;
const VALUE_MAP = mapSetting({ keys: CANONICAL_CODE_KEYS, values: { type: 'string', minLength: 1, maxLength: 255 } });

/** The canonical crm.case facts a Case field can be filled from. */
export const CASE_FACTS = CRM_CASE_FACTS;
export type CaseFact = CrmCaseFact;

/** The adapter's configuration, declared as JSON Schema so hosts can validate it and know its secrets. */
export const configSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Salesforce adapter configuration',
  type: 'object',
  required: ['flow', 'loginUrl', 'clientId'],
  additionalProperties: false,
  allOf: [
    { if: { properties: { flow: { const: 'jwt-bearer' } } }, then: { required: ['username', 'privateKey'] } },
    { if: { properties: { flow: { const: 'client-credentials' } } }, then: { required: ['clientSecret'] } },
  ],
  properties: {
    flow: {
      type: 'string',
      enum: ['jwt-bearer', 'client-credentials'],
      description:
        "How the adapter gets its access token: 'jwt-bearer' (a JWT signed with the connected app's certificate key, for a pre-authorised user) or 'client-credentials' (the app's consumer key and secret, with a Run As user).",
    },
    loginUrl: urlSetting(
      "Where tokens come from: https://login.salesforce.com (test.salesforce.com for a sandbox) or the org's My Domain for the JWT bearer flow; the My Domain (https://council.my.salesforce.com) for client credentials.",
      { hostOnly: true },
    ),
    clientId: { type: 'string', minLength: 1, maxLength: 255, description: "The connected app's (or external client app's) consumer key." },
    username: {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      description: 'JWT bearer: the Salesforce username the adapter acts as (pre-authorised for the app).',
    },
    privateKey: {
      type: 'string',
      minLength: 1,
      maxLength: 20000,
      'x-lgx-secret': true,
      description: 'JWT bearer: the PEM private key of the certificate uploaded to the app (use ${file:...}).',
    },
    clientSecret: {
      type: 'string',
      minLength: 1,
      maxLength: 1024,
      'x-lgx-secret': true,
      description: "Client credentials: the app's consumer secret.",
    },
    audience: urlSetting(
      'JWT bearer: the aud claim (default the loginUrl; https://test.salesforce.com for a sandbox reached through My Domain).',
      { hostOnly: true },
    ),
    apiVersion: { type: 'string', pattern: '^[3-9][0-9]\\.0$', description: 'REST API version (default 61.0).' },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 120000, description: 'Per-request timeout (default 15000).' },
    externalIdField: {
      type: 'string',
      pattern: '^[A-Za-z][A-Za-z0-9_]{0,37}__c$',
      description:
        'The Case custom field, marked External ID, holding the LGX transaction id (default LGX_Transaction_Id__c). Submits upsert on it.',
    },
    fields: {
      type: 'object',
      additionalProperties: false,
      description:
        'Case fact -> Case field (null leaves a default out). Defaults: subject Subject, description Description, priority Priority, channel Origin, caseType Type, category Reason, status Status (these four picklists only with a value in `values`), personName SuppliedName, email SuppliedEmail, phone SuppliedPhone.',
      properties: Object.fromEntries(CASE_FACTS.map((f) => [f, { anyOf: [FIELD, { type: 'null' }] }])),
    },
    values: {
      type: 'object',
      additionalProperties: false,
      description:
        "Canonical value -> picklist value, per fact. Defaults: priority {urgent: High, high: High, normal: Medium, low: Low}, channel {phone: Phone, email: Email, web: Web}; caseType, category and status have none (add e.g. caseType {complaint: 'Complaint'}).",
      properties: { priority: VALUE_MAP, channel: VALUE_MAP, caseType: VALUE_MAP, category: VALUE_MAP, status: VALUE_MAP },
    },
    attributeFields: mapSetting({
      keys: ATTRIBUTE_NAME_KEYS,
      values: FIELD,
      maxProperties: 50,
      description:
        "The case's attributes{} -> Case fields, e.g. {callbackRequested: 'Callback_Requested__c'}; attributes not listed are not sent.",
    }),
    contactExternalIdField: {
      type: 'string',
      pattern: '^[A-Za-z][A-Za-z0-9_]{0,37}__c$',
      description:
        'A Contact external id field: a contactRef that is not a Salesforce Contact id relates the Case to the Contact holding it there.',
    },
    statusMap: {
      type: 'object',
      maxProperties: 200,
      propertyNames: { minLength: 1, maxLength: 255, not: { enum: ['__proto__', 'constructor', 'prototype'] } },
      additionalProperties: { type: 'string', enum: CASE_STATUSES },
      description:
        "Case Status value -> canonical status, e.g. {'Awaiting Inspection': 'investigating'}; wins over the defaults and over IsClosed.",
    },
    requestLimitBackoffMinutes: {
      type: 'integer',
      minimum: 1,
      maximum: 1440,
      description: "How long to wait after REQUEST_LIMIT_EXCEEDED, the org's daily API allocation used up (default 60).",
    },
  },
} as const;

// The configuration's types are generated from configSchema (scripts/generators/config-types.ts), so the two cannot drift.
export type { SalesforceConfig, ValueMap } from './generated/config-types';

export const DEFAULT_API_VERSION = '61.0';
export const DEFAULT_EXTERNAL_ID_FIELD = 'LGX_Transaction_Id__c';
