import { CHANNELS, type JsonSchema } from '@lgx/core';

/** Identifiers used as keys the runtime reads by name (mapping tables, data match fields). */
const IDENTIFIER = '^[A-Za-z_][A-Za-z0-9_]*$';
/** Adapter instance ids: short, lower-case, safe in logs, metrics labels and URLs. */
const INSTANCE_ID = '^[a-z][a-z0-9-]{0,62}$';

/** Keys refused everywhere: they could reach Object.prototype in careless consumers. */
const notPrototypeKey: JsonSchema = { not: { enum: ['__proto__', 'constructor', 'prototype'] } };

const adapterIdList: JsonSchema = {
  type: 'array',
  minItems: 1,
  uniqueItems: true,
  items: { type: 'string', pattern: INSTANCE_ID, description: 'An adapter instance id declared under adapters.' },
};

/**
 * The published JSON Schema (2020-12) of a council's stack file. Every object is closed, so a
 * misspelt key is an error rather than a silently ignored setting. Rules that need the whole stack
 * (every target names a declared adapter) are checked after the schema.
 */
export const stackSchema: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://schemas.lgx.dev/runtime/stack/v1.json',
  title: 'LGX council stack',
  description: "A council's composition: adapter instances, routes and mapping tables.",
  type: 'object',
  additionalProperties: false,
  required: ['council', 'adapters', 'routes'],
  properties: {
    council: { type: 'string', pattern: '^[EWSN][0-9]{8}$', description: 'A GSS code such as E07000223.' },
    adapters: {
      type: 'object',
      description: 'Adapter instances by id (the id routes name as targets).',
      minProperties: 1,
      propertyNames: { pattern: INSTANCE_ID, description: 'Lower-case letters, digits and hyphens, starting with a letter.' },
      additionalProperties: { $ref: '#/$defs/adapter' },
    },
    routes: {
      type: 'array',
      description: 'Routes, tried in order: the first whose match fits takes the transaction.',
      items: { $ref: '#/$defs/route' },
    },
    mappings: {
      type: 'object',
      description: 'Mapping tables by name: council code -> vendor code.',
      propertyNames: { pattern: IDENTIFIER, ...notPrototypeKey, description: 'A plain identifier such as service.' },
      additionalProperties: { $ref: '#/$defs/mapping' },
    },
    open311: { $ref: '#/$defs/open311', description: "The gateway's Open311 facade (optional)." },
    reporting: { $ref: '#/$defs/reporting', description: 'Settings of the transactions reports (optional).' },
    quotas: { $ref: '#/$defs/quotas', description: "Limits on the council's submissions (optional; none by default)." },
    encryption: {
      $ref: '#/$defs/encryption',
      description: 'Encryption of personal data at rest (optional; required to route bank details).',
    },
    retention: {
      $ref: '#/$defs/retention',
      description: "How long finished transactions' payloads are kept (optional; 'lgx serve --retention-days' by default).",
    },
  },
  $defs: {
    retention: {
      type: 'object',
      additionalProperties: false,
      description:
        "How long the payload of a transaction (its envelope, personal data included) is kept after the transaction ends: delivered, dead-lettered or discarded. The transaction's row, audit entries and report counts stay.",
      properties: {
        default: {
          $ref: '#/$defs/retentionPeriod',
          description: "For every type without its own entry (when absent: 'lgx serve --retention-days', 90 days by default).",
        },
        types: {
          type: 'object',
          description: 'Per transaction type, such as revenues.directDebitMandate: 2190d.',
          maxProperties: 500,
          propertyNames: {
            pattern: '^[a-z][A-Za-z0-9]*(\\.[a-z][A-Za-z0-9]*)+$',
            maxLength: 64,
            description: 'A canonical transaction type such as street.report.',
          },
          additionalProperties: { $ref: '#/$defs/retentionPeriod' },
        },
      },
    },
    retentionPeriod: {
      type: 'string',
      pattern: '^(0|[1-9][0-9]{0,4})d$',
      description: 'A whole number of days followed by d, such as 30d (0d: purged at the next run after the end; at most 99999d).',
    },
    quotas: {
      type: 'object',
      additionalProperties: false,
      description: "Limits on the council's submissions: past one, a submission gets 429 with Retry-After and nothing is stored.",
      properties: {
        submitsPerSecond: {
          type: 'number',
          exclusiveMinimum: 0,
          maximum: 100_000,
          description: 'Submissions per second the council may make, per gateway process (a token bucket refilled at this rate).',
        },
        burst: {
          type: 'integer',
          minimum: 1,
          maximum: 1_000_000,
          description:
            'How many submissions may arrive at once before the rate applies (default: one second of submitsPerSecond, at least 1).',
        },
        maxQueued: {
          type: 'integer',
          minimum: 1,
          maximum: 1_000_000_000,
          description: "Most of the council's deliveries that may wait in the store (pending or retrying), counted across every node.",
        },
        retryAfterSeconds: {
          type: 'integer',
          minimum: 1,
          maximum: 3600,
          description: 'What Retry-After says when maxQueued is reached (default 10).',
        },
      },
    },
    encryption: {
      type: 'object',
      additionalProperties: false,
      required: ['key'],
      description: "Encryption of personal data at rest: each council's data keys are wrapped by this key-encryption key.",
      properties: {
        key: {
          type: 'string',
          minLength: 1,
          description:
            "The key-encryption key: 32 random bytes in base64 (from 'lgx keys generate' or 'openssl rand -base64 32'), given as ${env:NAME} or ${file:path}, never inline.",
        },
      },
    },
    reporting: {
      type: 'object',
      additionalProperties: false,
      description: 'Settings of the transactions reports.',
      properties: {
        unitCosts: {
          type: 'object',
          description:
            "What one completed transaction costs the council, in GBP, per service (a transaction type, or '*' for every service without its own entry) and channel. None by default: cost figures stay empty rather than invented.",
          maxProperties: 500,
          propertyNames: {
            pattern: '^(\\*|[a-z][A-Za-z0-9]*(\\.[a-z][A-Za-z0-9]*)*)$',
            maxLength: 64,
            description: "A transaction type such as street.report, or '*'.",
          },
          additionalProperties: { $ref: '#/$defs/channelCosts' },
        },
      },
    },
    channelCosts: {
      type: 'object',
      additionalProperties: false,
      description: 'Unit cost in GBP per channel.',
      properties: Object.fromEntries(
        CHANNELS.map((channel) => [
          channel,
          {
            type: 'number',
            minimum: 0,
            maximum: 1_000_000,
            description: `Cost of a transaction completed through the ${channel} channel.`,
          },
        ]),
      ),
    },
    open311: {
      type: 'object',
      additionalProperties: false,
      required: ['services'],
      description: "The gateway's Open311 GeoReport v2 facade: the services it lists and the canonical transaction each becomes.",
      properties: {
        jurisdiction: {
          type: 'string',
          minLength: 1,
          maxLength: 100,
          description: 'The jurisdiction_id clients may send (any value is accepted when absent).',
        },
        contact: { type: 'string', maxLength: 500, description: 'Contact text for the discovery document.' },
        services: { type: 'array', minItems: 1, maxItems: 500, items: { $ref: '#/$defs/open311Service' } },
      },
    },
    open311Service: {
      type: 'object',
      description: 'An Open311 service the gateway lists, and the canonical transaction a request for it becomes.',
      additionalProperties: false,
      required: ['code', 'name', 'type'],
      properties: {
        code: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$', description: 'The service_code.' },
        name: { type: 'string', minLength: 1, maxLength: 200 },
        description: { type: 'string', maxLength: 1000 },
        group: { type: 'string', maxLength: 200 },
        keywords: { type: 'array', maxItems: 20, items: { type: 'string', pattern: '^[^,]{1,50}$' } },
        type: {
          enum: ['street.report', 'waste.missedCollection', 'waste.containerRequest', 'waste.bulkyBooking', 'waste.gardenSubscription'],
          description: 'The canonical transaction a request becomes.',
        },
        lgsl: { type: 'integer', minimum: 1, description: 'LGSL code put on the envelope.' },
        open311Type: {
          enum: ['realtime', 'batch', 'blackbox'],
          description:
            "GeoReport v2's service type (default realtime): a realtime service answers a new request with its service_request_id; batch and blackbox answer with a token, which tokens/{token} resolves to the service_request_id.",
        },
        kind: { type: 'string', maxLength: 50, description: 'street.report: the kind of problem (e.g. pothole).' },
        service: {
          type: 'string',
          maxLength: 50,
          description: 'waste.missedCollection and waste.containerRequest: the waste service (e.g. refuse).',
        },
        data: {
          type: 'object',
          maxProperties: 30,
          propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9]*$', ...notPrototypeKey },
          description: "Fixed canonical values every request for this service carries (e.g. a container request's container and reason).",
        },
        attributes: { type: 'array', maxItems: 50, items: { $ref: '#/$defs/open311Attribute' } },
      },
    },
    open311Attribute: {
      type: 'object',
      description: 'One question of an Open311 service definition.',
      additionalProperties: false,
      required: ['code', 'description', 'datatype'],
      properties: {
        code: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_.-]{0,63}$', ...notPrototypeKey },
        description: { type: 'string', minLength: 1, maxLength: 500 },
        datatype: { enum: ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'] },
        required: { type: 'boolean' },
        variable: { type: 'boolean', description: 'false for information-only attributes (default true).' },
        order: { type: 'integer', minimum: 1 },
        automated: {
          enum: ['server_set', 'hidden_field'],
          description: 'mySociety extension: filled by the client, not asked of the citizen.',
        },
        values: {
          type: 'object',
          maxProperties: 100,
          propertyNames: { minLength: 1, maxLength: 100, ...notPrototypeKey },
          additionalProperties: { type: 'string', minLength: 1, maxLength: 200 },
          description: 'List datatypes: key -> name.',
        },
        field: {
          type: 'string',
          pattern: '^[A-Za-z][A-Za-z0-9]*(\\.[A-Za-z][A-Za-z0-9]*){0,3}$',
          description:
            'The canonical data field the answer fills, as a dotted path (scheduledDate, quantity, container.sizeLitres); street.report also takes uprn, usrn, title, assetReference and hazard. Other answers are kept under data.attributes.',
        },
      },
    },
    adapter: {
      type: 'object',
      description: 'One adapter instance. Strings in config may hold ${env:NAME} or ${file:path}.',
      additionalProperties: false,
      required: ['package'],
      properties: {
        package: {
          type: 'string',
          // A package name, never a path: the stack must not load arbitrary files.
          pattern: '^(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$',
          maxLength: 214,
          description: 'An npm package name such as @lgx/adapter-template.',
        },
        config: {
          type: 'object',
          propertyNames: notPrototypeKey,
          description: 'Checked against the adapter config schema when the engine creates the instance.',
        },
      },
    },
    route: {
      type: 'object',
      description: 'One route: what it matches, how it delivers and to which adapter instances.',
      additionalProperties: false,
      required: ['match', 'mode', 'targets'],
      properties: {
        match: {
          type: 'object',
          description: 'What the route matches on; every given key must match (an empty match catches everything).',
          additionalProperties: false,
          properties: {
            type: { type: 'string', minLength: 1, description: 'Transaction or query type, e.g. waste.missedCollection.' },
            lgsl: { type: 'integer', minimum: 1, description: "LGSL service code (the envelope's lgsl extension)." },
            council: { type: 'string', pattern: '^[EWSN][0-9]{8}$', description: 'A GSS code such as E07000223.' },
            data: {
              type: 'object',
              description: "Equality on top-level fields of the envelope's data.",
              minProperties: 1,
              propertyNames: { pattern: IDENTIFIER, ...notPrototypeKey, description: 'A plain identifier naming a top-level data field.' },
              additionalProperties: {
                anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }],
                description: 'The value the data field must equal.',
              },
            },
          },
        },
        mode: {
          enum: ['one', 'all', 'fallback', 'shadow'],
          description:
            'How the route delivers: one target, all (fan-out), fallback (in order until one takes it) or shadow (beside the targets).',
        },
        targets: { ...adapterIdList, description: 'Adapter instance ids, in order (the order is the chain for fallback).' },
        shadow: {
          ...adapterIdList,
          description: 'Adapter instance ids delivered to beside the targets; results are recorded, never surfaced.',
        },
      },
      if: { properties: { mode: { const: 'shadow' } }, required: ['mode'] },
      then: { required: ['shadow'] },
    },
    mapping: {
      description: "A mapping table: inline pairs (council code -> vendor code) or a CSV file, relative to the stack file's folder.",
      if: { type: 'object', required: ['file'] },
      then: {
        type: 'object',
        additionalProperties: false,
        properties: { file: { type: 'string', minLength: 1, description: 'A CSV file (council code, vendor code) with a header row.' } },
      },
      else: {
        type: 'object',
        // Codes are strings: YAML would turn 0123 into the number 123 and lose the leading zero.
        propertyNames: { minLength: 1, ...notPrototypeKey },
        additionalProperties: { type: 'string', minLength: 1 },
      },
    },
  },
};
