import { CASE_STATUSES, urlSetting } from '@lgx/core';

/** The adapter's configuration, declared as JSON Schema so hosts can validate it and know its secrets. */
export const configSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Open311 GeoReport v2 adapter configuration',
  type: 'object',
  required: ['baseUrl', 'apiKey'],
  additionalProperties: false,
  properties: {
    baseUrl: urlSetting(
      'The Open311 endpoint the paths are relative to, e.g. https://council.example/open311/v2 (then /services.xml, /requests.xml ...).',
    ),
    apiKey: {
      type: 'string',
      minLength: 1,
      maxLength: 512,
      'x-lgx-secret': true,
      description: 'The api_key the Open311 server issued; sent on POSTs and on GET servicerequestupdates.',
    },
    format: {
      type: 'string',
      enum: ['xml', 'json'],
      description: 'Response format asked for with the path suffix (default xml; XML is the only format every server must offer).',
    },
    jurisdictionId: {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      description: 'Sent as jurisdiction_id on every call, for endpoints that serve several jurisdictions.',
    },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 120000, description: 'Per-request timeout (default 15000).' },
    serviceCodes: {
      type: 'object',
      maxProperties: 500,
      propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_.:-]{0,127}$', not: { enum: ['__proto__', 'constructor', 'prototype'] } },
      additionalProperties: { type: 'string', minLength: 1, maxLength: 255 },
      description:
        "Canonical category -> Open311 service_code, e.g. {'street.report:pothole': 'POT', 'waste.missedCollection:refuse': 'MISSED-REF'} (bare 'pothole' also matches). A stack's `service` mapping table takes precedence.",
    },
    statusMap: {
      type: 'object',
      maxProperties: 200,
      propertyNames: { pattern: '^[A-Za-z0-9_ .:-]{1,100}$', not: { enum: ['__proto__', 'constructor', 'prototype'] } },
      additionalProperties: { type: 'string', enum: CASE_STATUSES },
      description:
        "Server status (or external_status_code) -> canonical status, for servers with their own words, e.g. {'Awaiting inspection': 'investigating'}. A stack's `status` mapping table takes precedence.",
    },
    idempotencyAttribute: {
      type: 'string',
      pattern: '^$|^[A-Za-z][A-Za-z0-9_.-]{0,63}$',
      description:
        "Attribute that carries the LGX idempotency key (default 'lgx_idempotency_key'; '' sends none). Open311 has no idempotency header; only servers that index this attribute can de-duplicate.",
    },
    sendAddressId: { type: 'boolean', description: 'Send the UPRN as address_id (default true).' },
    mediaUrls: {
      type: 'string',
      enum: ['first', 'all'],
      description:
        "Photos by URL: 'first' sends one media_url as the spec defines (default); 'all' repeats media_url, as mySociety servers accept.",
    },
    updatesLookbackMinutes: {
      type: 'integer',
      minimum: 1,
      maximum: 43200,
      description: 'How far back the first poll of servicerequestupdates looks (default 60).',
    },
  },
} as const;

// The configuration's types are generated from configSchema (scripts/generators/config-types.ts), so the two cannot drift.
export type { Open311Config, Open311Format } from './generated/config-types';
