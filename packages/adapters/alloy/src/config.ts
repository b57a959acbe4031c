import { apiKeySetting, CASE_STATUSES, urlSetting } from '@lgx/core';

/** The transaction types this adapter can put into Alloy. */
export const ALLOY_TYPES = ['street.report', 'waste.missedCollection', 'crm.case'] as const;
export type AlloyType = (typeof ALLOY_TYPES)[number];

/** The public Alloy API of the UK region (`bin/alloy/get-api-key` in mysociety/open311-adapter). */
export const DEFAULT_BASE_URL = 'https://api.uk.alloyapp.io/api/';

/** How a canonical value is written into an Alloy attribute. */
export const VALUE_FORMATS = ['text', 'number', 'boolean', 'date', 'dateTime', 'link', 'addressText', 'personName', 'json'] as const;
export type ValueFormat = (typeof VALUE_FORMATS)[number];

const attributeCode = {
  type: 'string',
  pattern: '^attributes_[A-Za-z0-9_]{1,200}$',
  description:
    'An Alloy attribute code, e.g. attributes_customerReportsSummary_64a1f0c2e3b4d5f6a7b8c902 (from the design, GET design/{code}).',
} as const;
const itemId = {
  type: 'string',
  pattern: '^[A-Za-z0-9]{1,64}$',
  description: 'An Alloy item id (e.g. an option item such as a status or category).',
} as const;
const pointer = {
  type: 'string',
  pattern: '^(/([^~/]|~[01])*)+$',
  maxLength: 300,
  description: 'A JSON pointer into the transaction envelope, e.g. /data/description, /data/location/usrn, /id, /time.',
} as const;

const source = {
  type: 'object',
  additionalProperties: false,
  description: 'Where an attribute value comes from: a field of the transaction (from) or a constant (value).',
  oneOf: [{ required: ['from'] }, { required: ['value'] }],
  properties: {
    from: {
      description: 'A JSON pointer into the envelope, or several: the first that is present is used.',
      oneOf: [pointer, { type: 'array', minItems: 1, maxItems: 5, items: pointer }],
    },
    value: { description: 'A constant value, sent as it is (e.g. a list of option item ids).' },
    format: {
      enum: VALUE_FORMATS,
      description:
        'How the value is written (default text). link: a list of item ids; addressText: a BS7666 address on one line; personName: given and family name.',
    },
    map: {
      type: 'object',
      maxProperties: 1000,
      additionalProperties: { anyOf: [{ type: 'string', maxLength: 1000 }, { type: 'number' }, { type: 'boolean' }] },
      description: 'Canonical value -> Alloy value (e.g. kind pothole -> the category item id), applied before format.',
    },
    table: {
      type: 'string',
      pattern: '^[A-Za-z][A-Za-z0-9_.-]{0,63}$',
      description: "A mapping table of the stack, used like map (the stack's table wins over map).",
    },
    required: {
      type: 'boolean',
      description: 'Refuse the transaction (permanent) when the value is absent or has no mapping, instead of leaving the attribute out.',
    },
    maxLength: {
      type: 'integer',
      minimum: 1,
      maximum: 100000,
      description: 'Text longer than this is cut (with an ellipsis) rather than refused by Alloy.',
    },
  },
} as const;

const typeConfig = {
  type: 'object',
  required: ['designCode', 'transactionIdAttribute', 'attributes', 'status'],
  additionalProperties: false,
  properties: {
    designCode: {
      type: 'string',
      pattern: '^designs_[A-Za-z0-9_]{1,200}$',
      description: 'The design items of this type are created in, e.g. designs_customerReports_64a1f0c2e3b4d5f6a7b8c901.',
    },
    collectionCode: {
      type: 'string',
      pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$',
      description: 'The collection searched for existing and changed items (default Live).',
    },
    transactionIdAttribute: {
      ...attributeCode,
      description:
        'A text attribute of the design that holds the LGX transaction id: looked up before every create, so a repeated delivery finds the item instead of creating a second.',
    },
    attributes: {
      type: 'object',
      maxProperties: 100,
      propertyNames: attributeCode,
      additionalProperties: source,
      description: 'Attribute code -> where its value comes from.',
    },
    geometry: {
      type: 'object',
      additionalProperties: false,
      description:
        'Where the WGS84 point of data.location goes (GeoJSON, [lon, lat]). Default: attributes_itemsGeometry, left out when the transaction has no WGS84 coordinates.',
      properties: {
        attributeCode: attributeCode,
        required: { type: 'boolean', description: 'Refuse (permanent) a transaction without WGS84 coordinates.' },
        enabled: { type: 'boolean', description: 'false: never send a geometry.' },
      },
    },
    parents: {
      type: 'object',
      maxProperties: 20,
      propertyNames: attributeCode,
      additionalProperties: { type: 'array', minItems: 1, maxItems: 20, items: itemId },
      description: 'Parent links set on every item created (parent attribute code -> item ids).',
    },
    attachments: {
      type: 'object',
      required: ['attributeCode'],
      additionalProperties: false,
      description:
        'Inline attachments (media / attachments with content) are uploaded as files (POST file) and linked in this attribute after the item is created. Attachments by URL are not fetched.',
      properties: { attributeCode: attributeCode },
    },
    status: {
      type: 'object',
      required: ['attributeCode', 'map'],
      additionalProperties: false,
      description: 'How the item status reads: the attribute holding the status option item, and what each option means.',
      properties: {
        attributeCode: attributeCode,
        map: {
          type: 'object',
          minProperties: 1,
          maxProperties: 500,
          propertyNames: itemId,
          additionalProperties: { enum: CASE_STATUSES },
          description: 'Status option item id -> canonical status.',
        },
        unmapped: {
          enum: CASE_STATUSES,
          description: 'The status of an option not in map (default open, with one warning in the log per option).',
        },
        noteAttributeCode: {
          ...attributeCode,
          description: 'A text attribute whose value is the public note sent with each status update (e.g. the response to the customer).',
        },
      },
    },
  },
} as const;

/** The adapter's configuration, declared as JSON Schema so hosts can validate it and know its secrets. */
export const configSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Alloy adapter configuration',
  type: 'object',
  required: ['apiKey', 'types'],
  additionalProperties: false,
  properties: {
    baseUrl: urlSetting(`Base URL of the Alloy API (default ${DEFAULT_BASE_URL}).`),
    apiKey: apiKeySetting("An Alloy API key (from the customer's API keys, POST api-key)."),
    keyIn: {
      enum: ['header', 'query'],
      description: 'header (default): Authorization: Bearer <key>; query: ?token=<key>, for installations that take it there.',
    },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 300000, description: 'Per-request timeout (default 30000).' },
    types: {
      type: 'object',
      minProperties: 1,
      additionalProperties: false,
      properties: Object.fromEntries(ALLOY_TYPES.map((t) => [t, typeConfig])),
      description: "Per canonical type: the Alloy design and how its attributes are filled. Every council's designs differ.",
    },
    poll: {
      type: 'object',
      additionalProperties: false,
      description: 'pollUpdates: AQS queries on lastEditDate windows over the configured designs.',
      properties: {
        overlapSeconds: {
          type: 'integer',
          minimum: 0,
          maximum: 3600,
          description: 'Each window starts this long before the previous one ended, for clock skew and late commits (default 120).',
        },
        pageSize: { type: 'integer', minimum: 1, maximum: 1000, description: 'Items per AQS page (default 100).' },
        maxItems: {
          type: 'integer',
          minimum: 1,
          maximum: 100000,
          description: 'Most changed items read in one poll; a busier window is split and the rest read next poll (default 1000).',
        },
        itemLog: {
          type: 'boolean',
          description:
            "Read each changed item's log for the time of its last edit (default true); false: the update is dated when the poll saw it.",
        },
      },
    },
  },
} as const;

// The configuration's types are generated from configSchema (scripts/generators/config-types.ts), so the two cannot drift.
export type { AlloyConfig, AlloyStatusConfig, AlloyTypeConfig, AttributeSource } from './generated/config-types';
