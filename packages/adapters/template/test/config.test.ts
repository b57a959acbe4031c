import { validateConfig } from '@lgx/core';
import adapter, { configSchema, type ExampleWasteConfig } from '../src';

// ExampleWasteConfig is written by hand beside configSchema: these checks fail (at typecheck or when
// run) when one of the two changes without the other.
describe('ExampleWasteConfig and configSchema', () => {
  it('name the same properties', () => {
    const every = {
      baseUrl: 'https://api.example-waste.test',
      apiKey: 'key-123456789',
      timeoutMs: 5000,
    } satisfies Required<ExampleWasteConfig>;
    expect(Object.keys(every).sort()).toEqual(Object.keys(configSchema.properties).sort());
    expect(validateConfig(adapter, every).ok).toBe(true);
  });

  it('require the same properties', () => {
    const least = { baseUrl: 'https://api.example-waste.test', apiKey: 'key-123456789' } satisfies ExampleWasteConfig;
    expect(Object.keys(least).sort()).toEqual([...configSchema.required].sort());
    expect(validateConfig(adapter, least).ok).toBe(true);
    // @ts-expect-error: the schema requires baseUrl
    const noBaseUrl: ExampleWasteConfig = { apiKey: 'key-123456789' };
    // @ts-expect-error: the schema requires apiKey
    const noApiKey: ExampleWasteConfig = { baseUrl: 'https://api.example-waste.test' };
    expect([validateConfig(adapter, noBaseUrl).ok, validateConfig(adapter, noApiKey).ok]).toEqual([false, false]);
  });
});
