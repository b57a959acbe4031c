import { apiKeySetting, urlSetting } from '@lgx/core';
/** The adapter's configuration, declared as JSON Schema so hosts can validate it and know its secrets. */
export const configSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'GOV.UK Pay adapter configuration',
  type: 'object',
  required: ['apiKey'],
  additionalProperties: false,
  properties: {
    baseUrl: urlSetting('Base URL of the GOV.UK Pay public API (default https://publicapi.payments.service.gov.uk).'),
    apiKey: apiKeySetting("The service's GOV.UK Pay API key (a test key for a sandbox or test service, a live key for live payments)."),
    webhookSigningSecret: {
      type: 'string',
      minLength: 8,
      maxLength: 512,
      'x-lgx-secret': true,
      description: "The webhook's signing secret from the GOV.UK Pay admin tool. Without it every webhook is refused.",
    },
    returnUrlOrigins: {
      type: 'array',
      minItems: 1,
      maxItems: 20,
      uniqueItems: true,
      items: { type: 'string', pattern: '^https://[^/?#]+$' },
      description:
        'When given, a payment whose returnUrl is not on one of these origins (e.g. https://forms.example.gov.uk) is refused before it is sent.',
    },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 120000, description: 'Per-request timeout (default 15000).' },
  },
} as const;

export const DEFAULT_BASE_URL = 'https://publicapi.payments.service.gov.uk';

// The configuration's types are generated from configSchema (scripts/generators/config-types.ts), so the two cannot drift.
export type { GovukPayConfig } from './generated/config-types';
