/**
 * The OpenAPI 3.0 description of the Fieldbook Requests API v2, a FICTIONAL field-service request
 * system by the fictional Brightwater Software: the published specification of the REST adapter's
 * worked example. The simulator serves it at `/v2/openapi.json` and answers as it says.
 */

const error = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: {
          type: 'string',
          description: 'VALIDATION_FAILED, IDEMPOTENCY_KEY_REUSED, NOT_FOUND, RECORD_LOCKED, MAINTENANCE, RATE_LIMITED, UNAUTHORISED',
        },
        message: { type: 'string' },
        field: { type: 'string' },
        retryInSeconds: { type: 'integer', description: 'With MAINTENANCE: when to try again. No Retry-After header is sent.' },
      },
    },
  },
} as const;

const json = (schema: unknown, description: string) => ({ description, content: { 'application/json': { schema } } });

export const FIELDBOOK_STATES = [
  'received',
  'triaged',
  'scheduled',
  'in_progress',
  'completed',
  'closed_no_action',
  'rejected',
  'duplicate',
] as const;
export const FIELDBOOK_CATEGORIES = [
  'ROAD_DEFECT',
  'FOOTWAY_DEFECT',
  'STREET_LIGHT',
  'FLY_TIP',
  'GRAFFITI',
  'CLEANSING',
  'ABANDONED_VEHICLE',
  'DRAINAGE',
  'MISSED_BIN',
  'OTHER',
] as const;
export const FIELDBOOK_SERVICES = ['REFUSE', 'RECYCLING', 'GARDEN', 'FOOD', 'OTHER'] as const;

export const FIELDBOOK_OPENAPI = {
  openapi: '3.0.3',
  info: {
    title: 'Fieldbook Requests API',
    version: '2.4.1',
    description:
      'FICTIONAL. Service requests for a council field workforce: street defects, cleansing and missed collections. Idempotency-Key on POST /requests makes a repeat return the first request. Requests are searchable by clientReference. Changes are a feed ordered by sequence.',
  },
  servers: [{ url: '/v2' }],
  security: [{ clientCredentials: [] }],
  components: {
    securitySchemes: {
      clientCredentials: {
        type: 'oauth2',
        flows: { clientCredentials: { tokenUrl: '/oauth/token', scopes: { 'requests:write': 'create and read requests' } } },
      },
    },
    schemas: {
      Error: error,
      Location: {
        type: 'object',
        description: 'At least one of lat+lng, usrn, uprn or address.',
        properties: {
          lat: { type: 'number' },
          lng: { type: 'number' },
          usrn: { type: 'string' },
          uprn: { type: 'string' },
          address: { type: 'string', maxLength: 500 },
          note: { type: 'string', maxLength: 255 },
        },
      },
      NewRequest: {
        type: 'object',
        required: ['category', 'description', 'location'],
        properties: {
          category: { type: 'string', enum: FIELDBOOK_CATEGORIES },
          title: { type: 'string', maxLength: 255 },
          description: { type: 'string', maxLength: 4000 },
          location: { $ref: '#/components/schemas/Location' },
          clientReference: {
            type: 'string',
            maxLength: 128,
            description: "The caller's own reference; GET /requests?clientReference= finds it.",
          },
          hazard: { type: 'boolean' },
          assetId: { type: 'string', maxLength: 128 },
          service: { type: 'string', enum: FIELDBOOK_SERVICES, description: 'Required with MISSED_BIN.' },
          scheduledDate: { type: 'string', format: 'date', description: 'Required with MISSED_BIN.' },
          reporter: {
            type: 'object',
            properties: {
              name: { type: 'string', maxLength: 200 },
              email: { type: 'string', format: 'email' },
              phone: { type: 'string', maxLength: 40 },
            },
          },
          photos: { type: 'array', maxItems: 10, items: { type: 'string', format: 'uri' } },
        },
      },
      Request: {
        type: 'object',
        required: ['id', 'category', 'state', 'createdAt', 'stateChangedAt'],
        properties: {
          id: { type: 'string', example: 'FB-000123' },
          category: { type: 'string', enum: FIELDBOOK_CATEGORIES },
          state: { type: 'string', enum: FIELDBOOK_STATES },
          createdAt: { type: 'string', format: 'date-time' },
          stateChangedAt: { type: 'string', format: 'date-time' },
          publicNote: { type: 'string' },
          clientReference: { type: 'string' },
          links: { type: 'object', properties: { self: { type: 'string', format: 'uri' } } },
        },
      },
      Refusal: {
        type: 'object',
        required: ['accepted', 'reason'],
        description: 'Answered with 200 when the category is closed to new requests.',
        properties: { accepted: { type: 'boolean', enum: [false] }, reason: { type: 'string', enum: ['CATEGORY_CLOSED'] } },
      },
      Change: {
        type: 'object',
        required: ['sequence', 'requestId', 'state', 'changedAt'],
        properties: {
          sequence: { type: 'integer' },
          requestId: { type: 'string' },
          state: { type: 'string', enum: FIELDBOOK_STATES },
          changedAt: { type: 'string', format: 'date-time' },
          publicNote: { type: 'string' },
        },
      },
    },
  },
  paths: {
    '/health': {
      get: {
        operationId: 'health',
        security: [],
        responses: { '200': json({ type: 'object', properties: { status: { type: 'string' } } }, 'Up') },
      },
    },
    '/requests': {
      post: {
        operationId: 'createRequest',
        parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } }],
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/NewRequest' } } } },
        responses: {
          '201': json({ $ref: '#/components/schemas/Request' }, 'Created'),
          '200': json(
            { oneOf: [{ $ref: '#/components/schemas/Request' }, { $ref: '#/components/schemas/Refusal' }] },
            'The request an earlier call with the same Idempotency-Key created, or a refusal',
          ),
          '401': json(error, 'Token missing, unknown or expired'),
          '422': json(error, 'VALIDATION_FAILED or IDEMPOTENCY_KEY_REUSED'),
          '429': json(error, 'RATE_LIMITED, with Retry-After'),
          '503': json(error, 'MAINTENANCE, with retryInSeconds'),
        },
      },
      get: {
        operationId: 'findRequests',
        parameters: [{ name: 'clientReference', in: 'query', required: true, schema: { type: 'string' } }],
        responses: {
          '200': json(
            { type: 'object', properties: { results: { type: 'array', items: { $ref: '#/components/schemas/Request' } } } },
            'Matching requests',
          ),
        },
      },
    },
    '/requests/{requestId}': {
      get: {
        operationId: 'getRequest',
        parameters: [{ name: 'requestId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': json({ $ref: '#/components/schemas/Request' }, 'The request'),
          '404': json(error, 'NOT_FOUND'),
          '423': json(error, 'RECORD_LOCKED: an officer is editing it; try again shortly'),
        },
      },
    },
    '/changes': {
      get: {
        operationId: 'listChanges',
        parameters: [
          { name: 'after', in: 'query', required: true, schema: { type: 'integer', minimum: 0 } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
        ],
        responses: {
          '200': json(
            {
              type: 'object',
              required: ['changes', 'lastSequence'],
              properties: { changes: { type: 'array', items: { $ref: '#/components/schemas/Change' } }, lastSequence: { type: 'integer' } },
            },
            'Changes after the sequence, oldest first',
          ),
        },
      },
    },
  },
} as const;
