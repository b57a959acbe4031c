import { CASE_STATUSES, EXPRESSION_SETTING, urlSetting } from '@lgx/core';

/** The classifications an error rule can give. */
export const RULE_CLASSIFICATIONS = ['retryable', 'rateLimited', 'permanent', 'auth', 'notFound'] as const;
export type RuleClassification = (typeof RULE_CLASSIFICATIONS)[number];

/** The calls an error rule can be limited to. */
export const CALLS = ['submit', 'lookup', 'getStatus', 'pollUpdates', 'check'] as const;
export type CallName = (typeof CALLS)[number];

const template = {
  type: 'string',
  minLength: 1,
  maxLength: 2000,
  description:
    "Text with {JSONata} placeholders, e.g. /v2/requests/{externalRef}; each placeholder is evaluated over the call's input (values are percent-encoded in paths).",
} as const;

/** One HTTP request: method, path template, query, headers and body, and how to read the answer. */
const request = (what: string, input: string, output: string | undefined) =>
  ({
    type: 'object',
    required: output === undefined ? ['method', 'path'] : ['method', 'path', 'response'],
    additionalProperties: false,
    description: what,
    properties: {
      method: { enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
      path: { ...template, pattern: '^/', description: `A path template under baseUrl, over ${input}, e.g. /v2/requests/{externalRef}.` },
      query: {
        ...EXPRESSION_SETTING,
        description: `JSONata over ${input}; its value is the query string (an object of strings, numbers, booleans or lists of them).`,
      },
      headers: {
        type: 'object',
        maxProperties: 30,
        propertyNames: { pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$" },
        additionalProperties: template,
        description: 'Header name -> template. Credentials belong in auth, which keeps them secret.',
      },
      body: { ...EXPRESSION_SETTING, description: `JSONata over ${input}; its value is the request body.` },
      bodyType: { enum: ['json', 'form'], description: 'json (default) or form (application/x-www-form-urlencoded, from an object).' },
      ...(output === undefined
        ? {}
        : {
            response: {
              ...EXPRESSION_SETTING,
              description: `JSONata over the answer's body ($status and $headers bound); its value is ${output}.`,
            },
          }),
    },
  }) as const;

const submitBase = request(
  'Creates the record.',
  'the transaction envelope (id, type, council, idempotencykey, time, data ...)',
  'the receipt: {externalRef, externalStatusCode?, status?, acceptedAt?, url?, attributes?}',
);
const submitCall = {
  ...submitBase,
  properties: {
    ...submitBase.properties,
    idempotency: {
      type: 'object',
      description:
        'How a repeated delivery is kept from making a second record: a header the back office dedupes on, or a look-up before creating.',
      oneOf: [
        {
          required: ['header'],
          additionalProperties: false,
          properties: {
            header: { type: 'string', pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$", description: 'e.g. Idempotency-Key.' },
            value: { ...EXPRESSION_SETTING, description: 'JSONata over the envelope giving the key (default idempotencykey).' },
          },
        },
        {
          required: ['lookup'],
          additionalProperties: false,
          properties: {
            lookup: request(
              'Finds a record an earlier attempt made. A 404 means none.',
              'the transaction envelope',
              'the receipt of the record found, or nothing (null, false, an empty object) when there is none',
            ),
          },
        },
      ],
    },
  },
} as const;

/** One branch per auth type, so a mistake is reported against the type chosen. */
const authType = (type: string, required: readonly string[], properties: Record<string, unknown>) => ({
  if: { required: ['type'], properties: { type: { const: type } } },
  then: { required: ['type', ...required], additionalProperties: false, properties: { type: { const: type }, ...properties } },
});

const auth = {
  type: 'object',
  required: ['type'],
  description: 'How the adapter authenticates. Every credential is secret.',
  properties: { type: { enum: ['bearer', 'basic', 'apiKey', 'oauth2ClientCredentials'] } },
  allOf: [
    authType('bearer', ['token'], { token: { type: 'string', minLength: 1, maxLength: 4096, 'x-lgx-secret': true } }),
    authType('basic', ['username', 'password'], {
      username: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[^:]*$', 'x-lgx-secret': false },
      password: { type: 'string', minLength: 1, maxLength: 1024, 'x-lgx-secret': true },
    }),
    authType('apiKey', ['in', 'name', 'value'], {
      in: { enum: ['header', 'query'] },
      name: {
        type: 'string',
        pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$",
        description: 'Header or query parameter name, e.g. x-api-key or api_key.',
      },
      value: { type: 'string', minLength: 1, maxLength: 4096, 'x-lgx-secret': true },
    }),
    authType('oauth2ClientCredentials', ['tokenUrl', 'clientId', 'clientSecret'], {
      tokenUrl: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048 },
      clientId: { type: 'string', minLength: 1, maxLength: 512, 'x-lgx-secret': false },
      clientSecret: { type: 'string', minLength: 1, maxLength: 4096, 'x-lgx-secret': true },
      scope: { type: 'string', minLength: 1, maxLength: 2000 },
      audience: {
        type: 'string',
        minLength: 1,
        maxLength: 2000,
        description: 'Sent as the audience form field, for token endpoints that need one.',
      },
      clientAuth: { enum: ['form', 'basic'], description: 'Client id and secret in the form (default) or as HTTP Basic.' },
    }),
  ],
} as const;

const statusNames = { enum: CASE_STATUSES } as const;

/** The adapter's configuration, declared as JSON Schema so hosts can validate it and know its secrets. */
export const configSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Declarative REST adapter configuration',
  type: 'object',
  required: ['baseUrl', 'operations'],
  additionalProperties: false,
  properties: {
    baseUrl: urlSetting('The API base; paths are resolved under it.'),
    timeoutMs: { type: 'integer', minimum: 100, maximum: 120000, description: 'Per request (default 30000).' },
    maxResponseBytes: { type: 'integer', minimum: 1024, maximum: 104857600, description: 'Largest answer accepted (default 10 MiB).' },
    headers: {
      type: 'object',
      maxProperties: 30,
      propertyNames: { pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$" },
      additionalProperties: { type: 'string', maxLength: 2000 },
      description: 'Headers sent with every request (not credentials: use auth).',
    },
    auth,
    openapi: {
      type: 'string',
      minLength: 1,
      maxLength: 2048,
      pattern: '^(?!\\s*[{<])',
      description:
        "The API's OpenAPI 3 document (a file path or an http(s) URL, JSON or YAML): every configured request's method and path must be one it defines, checked when the adapter is created.",
    },
    operations: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: '^[a-z][A-Za-z0-9]*(\\.[a-z][A-Za-z0-9]*)*$' },
      additionalProperties: { type: 'object', required: ['submit'], additionalProperties: false, properties: { submit: submitCall } },
      description: 'Per canonical transaction type (e.g. street.report): the request that creates the record.',
    },
    status: request(
      'Reads one record for getStatus.',
      '{externalRef}',
      'a status update: {externalRef?, externalStatusCode?, status?, updatedAt?, description?, updateId?}',
    ),
    poll: request(
      'Lists changes for pollUpdates.',
      '{cursor} (no cursor on the first poll)',
      '{updates: [status update ...], cursor}: the cursor for the next poll ($cursor is the previous one)',
    ),
    check: request('A cheap request check() makes (default: none, check() only reports the adapter configured).', '{}', undefined),
    statusMap: {
      type: 'object',
      maxProperties: 500,
      additionalProperties: statusNames,
      description: 'Vendor status code (externalStatusCode) -> canonical status; "*" for codes not listed.',
    },
    vendorCode: {
      ...EXPRESSION_SETTING,
      description:
        "JSONata over an error answer's body giving the vendor's error code (default: code, errorCode, error.code or error when a string).",
    },
    errorRules: {
      type: 'array',
      maxItems: 100,
      description:
        'Checked in order on every answer, before the built-in classification by HTTP status. A rule needs status, when, or both.',
      items: {
        type: 'object',
        required: ['classification'],
        additionalProperties: false,
        anyOf: [{ required: ['status'] }, { required: ['when'] }],
        properties: {
          status: {
            description:
              'The status(es) it matches: a code (409), a list, or a class (4xx, 5xx). 401 is never matched: it always means the credentials were refused (after one token refresh with OAuth 2.0).',
            oneOf: [
              { type: 'integer', minimum: 200, maximum: 599 },
              { type: 'array', minItems: 1, maxItems: 50, items: { type: 'integer', minimum: 200, maximum: 599 } },
              { enum: ['2xx', '3xx', '4xx', '5xx'] },
            ],
          },
          when: { ...EXPRESSION_SETTING, description: 'JSONata over the answer body ($status, $headers bound); truthy matches.' },
          calls: {
            type: 'array',
            minItems: 1,
            maxItems: 5,
            uniqueItems: true,
            items: { enum: CALLS },
            description: 'Only for these calls (default all).',
          },
          classification: { enum: RULE_CLASSIFICATIONS },
          vendorCode: { ...EXPRESSION_SETTING, description: "JSONata over the body giving the vendor's code for the error." },
          retryAfterSeconds: {
            ...EXPRESSION_SETTING,
            description: 'With rateLimited: JSONata over the body giving the wait in seconds (default: the Retry-After header).',
          },
        },
      },
    },
  },
} as const;

// The configuration's types are generated from configSchema (scripts/generators/config-types.ts), so the two cannot drift.
import type { RestAdapterConfig } from './generated/config-types';
export type { AuthConfig, ErrorRuleConfig, IdempotencyConfig, RestAdapterConfig, SubmitConfig } from './generated/config-types';

/** One configured request: the calls that read an answer have a response expression, check has none. */
export type RequestConfig = Omit<NonNullable<RestAdapterConfig['status']>, 'response'> & { response?: string };
