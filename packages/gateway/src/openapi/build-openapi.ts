import { schemaRegistry, type JsonSchema } from '@lgx/core';
import { REPORT_DATASETS, REPORT_PERIODS } from '@lgx/runtime';
import { VERSION } from '../version';

/** The subject selectors of the subject routes: exactly one is given. */
const SUBJECT_SELECTORS = ['email', 'phone', 'name', 'uprn', 'reference'].map((name) => ({
  name,
  in: 'query',
  schema: { type: 'string', maxLength: 320 },
  description: 'One of email, phone, name, uprn, reference (exactly one).',
}));

/** Component name of a schema `$id`: https://schemas.lgx.dev/waste.missedCollection/v1.json -> waste.missedCollection.v1 */
function componentName(id: string): string | undefined {
  const match = /^https:\/\/schemas\.lgx\.dev\/([A-Za-z0-9.]+)\/v(\d+)\.json$/.exec(id);
  return match ? `${match[1]}.v${match[2]}` : undefined;
}

/**
 * A copy of a canonical schema as an OpenAPI component: `$id`/`$schema` dropped and every `$ref`
 * (relative to the schema's `$id`) rewritten to point into `#/components/schemas`, so tools that do not
 * resolve `$id`s still follow them.
 */
function asComponent(schema: JsonSchema): JsonSchema {
  const base = String(schema.$id);
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (typeof value !== 'object' || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$id' || key === '$schema') continue;
      if (key === '$ref' && typeof inner === 'string') {
        const url = new URL(inner, base);
        const fragment = url.hash.replace(/^#/, '');
        url.hash = '';
        const name = componentName(url.href);
        out.$ref = name ? `#/components/schemas/${name}${fragment}` : inner;
        continue;
      }
      out[key] = rewrite(inner);
    }
    return out;
  };
  return rewrite(schema) as JsonSchema;
}

const problem = {
  description: 'An RFC 9457 problem (application/problem+json).',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

function errors(...statuses: number[]): Record<string, unknown> {
  return Object.fromEntries(statuses.map((s) => [String(s), problem]));
}

/**
 * The gateway's OpenAPI 3.1 document. Its schemas are the canonical schemas themselves (OpenAPI 3.1
 * uses JSON Schema 2020-12), so the API can never drift from the contract.
 */
export function buildOpenApi(options: { serverUrl?: string } = {}): Record<string, unknown> {
  const registry = schemaRegistry();
  const schemas: Record<string, unknown> = {};
  const add = (id: string | undefined) => {
    if (!id) return;
    const entry = registry.getById(id);
    const name = componentName(id);
    if (entry && name && !schemas[name]) schemas[name] = asComponent(entry.schema);
  };
  add('https://schemas.lgx.dev/defs/v1.json');
  add('https://schemas.lgx.dev/envelope/v1.json');
  add('https://schemas.lgx.dev/receipt/v1.json');
  const transactionTypes = registry.types('transaction');
  const queryTypes = registry.types('query');
  for (const type of [...transactionTypes, ...queryTypes]) {
    for (const major of registry.versions(type)) {
      const entry = registry.get(type, major);
      add(entry.$id);
      add(entry.resultId);
    }
  }
  schemas.Transaction = {
    description: 'A canonical transaction: the CloudEvents envelope with the data of its type (latest version of each type).',
    oneOf: transactionTypes.map((type) => ({
      allOf: [
        { $ref: '#/components/schemas/envelope.v1' },
        {
          type: 'object',
          properties: { type: { const: type }, data: { $ref: `#/components/schemas/${componentName(registry.get(type).$id)}` } },
        },
      ],
    })),
  };
  schemas.ShortTransaction = {
    description:
      'The short form: type and data; the gateway completes the envelope (council from the API key, idempotency key from the body or the Idempotency-Key header).',
    type: 'object',
    required: ['type', 'data'],
    properties: {
      type: { enum: transactionTypes },
      data: { type: 'object' },
      idempotencykey: { type: 'string' },
      channel: { type: 'string' },
      correlationid: { type: 'string' },
      subject: { type: 'string' },
    },
  };
  schemas.Problem = {
    type: 'object',
    required: ['type', 'title', 'status', 'detail'],
    properties: {
      type: { type: 'string', format: 'uri-reference' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string' },
      code: { type: 'string', description: 'The LGX error code (docs/errors.md).' },
      errors: {
        type: 'array',
        items: {
          type: 'object',
          required: ['path', 'rule', 'message'],
          properties: { path: { type: 'string' }, rule: { type: 'string' }, message: { type: 'string' } },
        },
      },
    },
  };
  schemas.Accepted = {
    type: 'object',
    required: ['id', 'duplicate'],
    properties: { id: { type: 'string' }, duplicate: { type: 'boolean' }, links: { type: 'object' } },
  };

  const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
  const paths: Record<string, unknown> = {
    '/v1/transactions': {
      post: {
        operationId: 'submitTransaction',
        summary: 'Accept a transaction durably for delivery to the back office',
        security: [{ apiKey: [] }],
        parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 128 } }],
        requestBody: {
          required: true,
          ...json({ oneOf: [{ $ref: '#/components/schemas/Transaction' }, { $ref: '#/components/schemas/ShortTransaction' }] }),
        },
        responses: {
          '202': {
            description: 'Accepted and stored; Location names the transaction.',
            headers: { Location: { schema: { type: 'string' } } },
            ...json({ $ref: '#/components/schemas/Accepted' }),
          },
          '200': {
            description: 'The idempotency key was seen before: the earlier transaction.',
            ...json({ $ref: '#/components/schemas/Accepted' }),
          },
          ...errors(400, 401, 403, 413, 415, 422),
        },
      },
      get: {
        operationId: 'listTransactions',
        summary: "The key's council's transactions, newest first",
        security: [{ apiKey: [] }],
        parameters: [
          { name: 'type', in: 'query', schema: { type: 'string' }, description: 'Comma-separated types.' },
          { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' } },
          { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
          { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'The `next` of the previous page.' },
        ],
        responses: {
          '200': {
            description: 'A page.',
            ...json({ type: 'object', properties: { items: { type: 'array' }, next: { type: 'string' } } }),
          },
          ...errors(400, 401, 403),
        },
      },
    },
    '/v1/transactions/{id}': {
      get: {
        operationId: 'getTransaction',
        summary: 'A transaction with its deliveries, attempts and status history',
        security: [{ apiKey: [] }],
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'The transaction.', ...json({ type: 'object' }) }, ...errors(401, 403, 404) },
      },
    },
    '/v1/queries/{type}': {
      post: {
        operationId: 'query',
        summary: 'A synchronous look-up through the adapters',
        security: [{ apiKey: [] }],
        parameters: [{ name: 'type', in: 'path', required: true, schema: { enum: queryTypes } }],
        requestBody: {
          required: true,
          ...json({ oneOf: queryTypes.map((t) => ({ $ref: `#/components/schemas/${componentName(registry.get(t).$id)}` })) }),
        },
        responses: { '200': { description: 'The answer.', ...json({ type: 'object' }) }, ...errors(400, 401, 403, 422, 502, 503, 504) },
      },
    },
    '/v1/reports/{dataset}': {
      get: {
        operationId: 'getReport',
        summary: "A GDS data-set of the key's council: counts and KPIs per period, in Backdrop's read shape or as CSV",
        description:
          'Answered from the rollups, which outlive payload retention. Every period in [start_at, end_at) is present; counts are zero-filled and a measure that cannot be computed is null (an empty cell in CSV).',
        security: [{ apiKey: [] }],
        parameters: [
          { name: 'dataset', in: 'path', required: true, schema: { enum: [...REPORT_DATASETS] } },
          { name: 'period', in: 'query', required: true, schema: { enum: [...REPORT_PERIODS] } },
          {
            name: 'start_at',
            in: 'query',
            required: true,
            schema: { type: 'string' },
            description: 'ISO date or date-time, inclusive; aligned down to the start of its period.',
          },
          { name: 'end_at', in: 'query', required: true, schema: { type: 'string' }, description: 'ISO date or date-time, exclusive.' },
          {
            name: 'group_by',
            in: 'query',
            schema: { type: 'array', items: { type: 'string' } },
            style: 'form',
            explode: true,
            description:
              'A dimension of the data-set (council, lgsl, service, channel, channel_type; service-kpis also back_office); repeatable.',
          },
          {
            name: 'collect',
            in: 'query',
            schema: { type: 'array', items: { type: 'string' } },
            style: 'form',
            explode: true,
            description: "A measure to return; repeatable. Default: all of the data-set's measures.",
          },
          {
            name: 'filter_by',
            in: 'query',
            schema: { type: 'array', items: { type: 'string', pattern: '^[a-z_][a-z0-9_]*:.+$' } },
            style: 'form',
            explode: true,
            description: '`field:value`; repeatable. The same field twice matches either value.',
          },
          { name: 'format', in: 'query', schema: { enum: ['json', 'csv'], default: 'json' } },
        ],
        responses: {
          '200': {
            description:
              'The records, one per period and group: `_id`, `_timestamp` (period start), `end_at`, `period`, the dimensions grouped by and the measures.',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['data'],
                  properties: {
                    data: { type: 'array', items: { type: 'object', additionalProperties: { type: ['string', 'number', 'null'] } } },
                  },
                },
              },
              'text/csv': { schema: { type: 'string' } },
            },
          },
          ...errors(400, 401, 403, 404),
        },
      },
    },
    '/v1/subjects': {
      get: {
        operationId: 'findSubject',
        summary: "One person's transactions in the key's council, found through the subject index (admin scope)",
        description:
          'Exactly one selector. Keyed hashes of the normalised value are looked up: nothing is decrypted. Needs the stack to have an encryption key (else 422 LGX_ERR_SUBJECT_NO_INDEX). No personal data in the answer.',
        security: [{ apiKey: [] }],
        parameters: SUBJECT_SELECTORS,
        responses: {
          '200': {
            description: 'The transactions (id, type, state, createdAt, purged), oldest first.',
            ...json({ type: 'object', required: ['council', 'transactions'] }),
          },
          ...errors(400, 401, 403, 422),
        },
      },
    },
    '/v1/subjects/export': {
      get: {
        operationId: 'exportSubject',
        summary:
          'Everything held about one person, opened: transactions, deliveries, attempts, status updates, audit entries (admin scope)',
        description: "Recorded in the council's audit chain as a personal-data read by the key before it is answered.",
        security: [{ apiKey: [] }],
        parameters: SUBJECT_SELECTORS,
        responses: {
          '200': {
            description: 'council, foundBy, exportedAt, transactions (each in full, opened) and audit (in chain order).',
            ...json({ type: 'object', required: ['council', 'transactions', 'audit'] }),
          },
          ...errors(400, 401, 403, 422),
        },
      },
    },
    '/v1/subjects/erase': {
      post: {
        operationId: 'eraseSubject',
        summary: "Erases one person's personal data everywhere LGX holds it (admin scope)",
        description:
          'Personal fields become [ERASED], queued deliveries dead letters (reason erased), index entries removed, \'subject.erased\' audited per transaction; back offices that declare erase are asked too. Final: needs "confirm": "erase".',
        security: [{ apiKey: [] }],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['confirm'],
                properties: {
                  email: { type: 'string' },
                  phone: { type: 'string' },
                  name: { type: 'string' },
                  uprn: { type: 'string' },
                  reference: { type: 'string' },
                  confirm: { const: 'erase' },
                },
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'council, transactions (what was erased in each), space (what the database keeps), forwarded (per back office).',
            ...json({ type: 'object', required: ['council', 'transactions', 'space', 'forwarded'] }),
          },
          ...errors(400, 401, 403, 422),
        },
      },
    },
    '/v1/schemas': {
      get: {
        operationId: 'listSchemas',
        security: [{ apiKey: [] }],
        responses: { '200': { description: 'Types and versions.', ...json({ type: 'object' }) }, ...errors(401) },
      },
    },
    '/v1/schemas/{type}': {
      get: {
        operationId: 'getSchema',
        security: [{ apiKey: [] }],
        parameters: [
          { name: 'type', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'version', in: 'query', schema: { type: 'integer' } },
        ],
        responses: { '200': { description: 'The JSON Schema.', ...json({ type: 'object' }) }, ...errors(400, 401, 404) },
      },
    },
    '/v1/health': {
      get: {
        operationId: 'health',
        security: [],
        responses: {
          '200': { description: 'Ready (status ok or degraded).', ...json({ type: 'object' }) },
          '503': { description: 'The store does not answer.' },
        },
      },
    },
    '/v1/health/live': { get: { operationId: 'liveness', security: [], responses: { '200': { description: 'The process answers.' } } } },
    '/metrics': {
      get: {
        operationId: 'metrics',
        security: [{ apiKey: [] }],
        responses: {
          '200': { description: 'Prometheus text format.', content: { 'text/plain': { schema: { type: 'string' } } } },
          ...errors(401, 403),
        },
      },
    },
    '/v1/callbacks/{adapter}': {
      post: {
        operationId: 'callback',
        summary: "A vendor's push (webhook), checked by the adapter (signature or token)",
        security: [],
        parameters: [{ name: 'adapter', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: { required: true, content: { '*/*': { schema: {} } } },
        responses: { '200': { description: 'Received.' }, '401': { description: 'The push failed its check.' }, ...errors(404) },
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'LGX gateway',
      version: VERSION,
      description:
        'Canonical transactions for UK council back offices. Errors are RFC 9457 problems. The Open311 GeoReport v2 facade lives under /open311/v2/ (see its own specification).',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    security: [{ apiKey: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An LGX API key (lgx keys create), also accepted as X-API-Key.' },
      },
    },
  };
}
