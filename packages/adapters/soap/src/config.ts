import { CASE_STATUSES, EXPRESSION_SETTING, type CaseStatus } from '@lgx/core';

/** A canonical case status, as statusMap values name them. */
export type CaseStatusName = CaseStatus;

const operationName = {
  type: 'string',
  pattern: '^[A-Za-z_][A-Za-z0-9_.-]{0,127}$',
  description: 'A SOAP operation named in the WSDL.',
} as const;

/** One SOAP call: the operation, how to build its arguments and how to read its result. */
const call = (what: string, requestInput: string, responseOutput: string) =>
  ({
    type: 'object',
    required: ['operation', 'request', 'response'],
    additionalProperties: false,
    description: what,
    properties: {
      operation: operationName,
      request: {
        ...EXPRESSION_SETTING,
        description: `JSONata over ${requestInput}; its value is the SOAP operation's arguments (an object).`,
      },
      response: {
        ...EXPRESSION_SETTING,
        description: `JSONata over the operation's parsed result (dates as ISO strings); its value is ${responseOutput}.`,
      },
    },
  }) as const;

/** The adapter's configuration, declared as JSON Schema so hosts can validate it and know its secrets. */
export const configSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Declarative SOAP adapter configuration',
  type: 'object',
  required: ['wsdl', 'operations'],
  additionalProperties: false,
  properties: {
    wsdl: {
      type: 'string',
      minLength: 1,
      maxLength: 2048,
      pattern: '^(?!\\s*<)',
      description: 'Where the WSDL is: a file path or an http(s) URL.',
    },
    endpoint: {
      type: 'string',
      format: 'uri',
      pattern: '^https?://',
      maxLength: 2048,
      description: "Service endpoint, overriding the WSDL's soap:address.",
    },
    service: { type: 'string', minLength: 1, maxLength: 200, description: 'WSDL service to use when it has several.' },
    port: { type: 'string', minLength: 1, maxLength: 200, description: 'WSDL port to use when the service has several.' },
    timeoutMs: {
      type: 'integer',
      minimum: 100,
      maximum: 120000,
      description: 'Per-call deadline including WSDL load and login (default 30000).',
    },
    maxResponseBytes: { type: 'integer', minimum: 1024, maximum: 104857600, description: 'Largest response accepted (default 10 MiB).' },
    auth: {
      type: 'object',
      required: ['type'],
      description: 'How the council authenticates: WS-Security UsernameToken, or a login operation whose token is sent with every call.',
      properties: { type: { enum: ['wsSecurity', 'session'] } },
      if: { properties: { type: { const: 'wsSecurity' } } },
      then: {
        required: ['username', 'password'],
        additionalProperties: false,
        properties: {
          type: { const: 'wsSecurity' },
          username: { type: 'string', minLength: 1, maxLength: 256, 'x-lgx-secret': false },
          password: { type: 'string', minLength: 1, maxLength: 1024, 'x-lgx-secret': true },
          passwordType: { enum: ['PasswordText', 'PasswordDigest'], description: 'Default PasswordText.' },
        },
      },
      else: {
        required: ['login', 'apply'],
        additionalProperties: false,
        properties: {
          type: { const: 'session' },
          login: {
            type: 'object',
            required: ['operation', 'args', 'tokenPath'],
            additionalProperties: false,
            properties: {
              operation: operationName,
              args: {
                type: 'object',
                maxProperties: 20,
                description: 'Arguments of the login operation (the credentials). Every value is secret.',
                additionalProperties: { 'x-lgx-secret': true },
              },
              tokenPath: {
                type: 'string',
                pattern: '^[A-Za-z_][A-Za-z0-9_-]*(\\.[A-Za-z_][A-Za-z0-9_-]*)*$',
                description: 'Dot path to the token in the login result, e.g. Session.Token.',
              },
            },
          },
          apply: {
            type: 'object',
            description: 'Where the token goes: a SOAP header element ({header, namespace?}) or a field of every call ({argName}).',
            oneOf: [
              {
                required: ['header'],
                additionalProperties: false,
                properties: {
                  header: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.-]*$' },
                  namespace: { type: 'string', maxLength: 1024 },
                },
              },
              {
                required: ['argName'],
                additionalProperties: false,
                properties: { argName: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.-]*$' } },
              },
            ],
          },
          ttlSeconds: {
            type: 'integer',
            minimum: 1,
            maximum: 86400,
            description: 'Log in again after this long even without an auth fault.',
          },
        },
      },
    },
    operations: {
      type: 'object',
      description: 'Per canonical transaction type (e.g. street.report): the SOAP operation that creates the record.',
      minProperties: 1,
      propertyNames: { pattern: '^[a-z][A-Za-z0-9]*(\\.[a-z][A-Za-z0-9]*)*$' },
      additionalProperties: {
        type: 'object',
        required: ['submit'],
        additionalProperties: false,
        properties: {
          submit: call(
            'Creates the record.',
            'the transaction envelope (id, type, council, idempotencykey, time, data ...)',
            'the receipt: {externalRef, externalStatusCode?, status?, acceptedAt?, url?, attributes?}',
          ),
        },
      },
    },
    status: call(
      'Reads one record for getStatus.',
      '{externalRef}',
      'a status update: {externalRef, externalStatusCode?, status?, updatedAt?, description?}',
    ),
    poll: call('Lists changes for pollUpdates.', '{cursor} (absent on the first poll)', '{updates: [status update ...], cursor}'),
    check: {
      type: 'object',
      required: ['operation'],
      additionalProperties: false,
      description: 'A cheap operation check() calls (default: only load the WSDL).',
      properties: { operation: operationName, request: EXPRESSION_SETTING },
    },
    statusMap: {
      type: 'object',
      maxProperties: 500,
      description: 'Vendor status code -> canonical status; "*" is the status for codes not listed.',
      additionalProperties: { enum: CASE_STATUSES },
    },
    faultRules: {
      type: 'array',
      maxItems: 100,
      description:
        'Checked in order before the built-in rules. A rule with code/string matches a SOAP fault; a rule with expression matches a successful result.',
      items: {
        type: 'object',
        required: ['classification'],
        additionalProperties: false,
        minProperties: 2,
        properties: {
          code: {
            type: 'string',
            minLength: 1,
            maxLength: 256,
            description: 'Fault code, whole or local part (sw:SessionExpired or SessionExpired).',
          },
          string: { type: 'string', minLength: 1, maxLength: 1000, description: 'Regular expression tested against the fault string.' },
          expression: {
            ...EXPRESSION_SETTING,
            description: 'JSONata over a successful result; a truthy value makes the call fail with this classification.',
          },
          vendorCode: { ...EXPRESSION_SETTING, description: "JSONata over the result giving the vendor's error code (with expression)." },
          operations: { type: 'array', items: operationName, maxItems: 50, description: 'Only for these operations (default all).' },
          classification: { enum: ['retryable', 'permanent', 'rateLimited', 'auth', 'notFound'] },
        },
      },
    },
  },
} as const;

// The configuration's types are generated from configSchema (scripts/generators/config-types.ts), so the two cannot drift.
export type { FaultRuleConfig, SessionApply, SoapAdapterConfig, SoapAuthConfig, SoapCallConfig } from './generated/config-types';
