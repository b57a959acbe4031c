/** The adapter's configuration, declared as JSON Schema so hosts can validate it and know its secrets. */
export const configSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Example Waste adapter configuration',
  type: 'object',
  required: ['baseUrl', 'apiKey'],
  additionalProperties: false,
  properties: {
    baseUrl: { type: 'string', format: 'uri', description: 'Base URL of the Example Waste API, e.g. https://api.example-waste.test' },
    apiKey: { type: 'string', minLength: 8, 'x-lgx-secret': true, description: 'API key issued by Example Waste to the council.' },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 120000, description: 'Per-request timeout (default 15000).' },
  },
} as const;

export interface ExampleWasteConfig {
  baseUrl: string;
  apiKey: string;
  timeoutMs?: number;
}
