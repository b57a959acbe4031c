import { urlSetting } from '@lgx/core';
/** The adapter's configuration, declared as JSON Schema so hosts can validate it and know its secrets. */
export const DEFAULT_BASE_URL = 'https://api.notifications.service.gov.uk';

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

export const configSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'GOV.UK Notify adapter configuration',
  type: 'object',
  required: ['apiKey'],
  additionalProperties: false,
  properties: {
    baseUrl: urlSetting(`Base URL of the Notify API (default ${DEFAULT_BASE_URL}).`),
    apiKey: {
      type: 'string',
      minLength: 74,
      maxLength: 400,
      pattern: `^.*${UUID}-${UUID}$`,
      'x-lgx-secret': true,
      description:
        'A Notify API key, `{key_name}-{service_id}-{secret_key}`: a test, team and guest list, or live key from the API integration page.',
    },
    callbackBearerToken: {
      type: 'string',
      minLength: 10,
      maxLength: 1000,
      'x-lgx-secret': true,
      description:
        'The bearer token set for the delivery receipt callback in Notify; callbacks without it are refused. Without it, every callback is refused.',
    },
    templateType: {
      type: 'string',
      enum: ['email', 'sms', 'letter'],
      description: 'Only poll messages of this type (GET /v2/notifications template_type); default all three.',
    },
    pollMaxPages: {
      type: 'integer',
      minimum: 1,
      maximum: 200,
      description: 'Most pages of 250 messages one pollUpdates call reads (default 20).',
    },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 120000, description: 'Per-request timeout (default 15000).' },
  },
} as const;

// The configuration's types are generated from configSchema (scripts/generators/config-types.ts), so the two cannot drift.
export type { GovukNotifyConfig } from './generated/config-types';

/** The two parts of an API key that sign requests: the service id (JWT `iss`) and the secret key. */
export interface ApiKeyParts {
  serviceId: string;
  secret: string;
}

/** Splits `{key_name}-{service_id}-{secret_key}`: the last 36 characters are the secret, the 36 before the dash the service id. */
export function splitApiKey(apiKey: string): ApiKeyParts {
  return { serviceId: apiKey.slice(-73, -37), secret: apiKey.slice(-36) };
}
