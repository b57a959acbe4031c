import {
  ADAPTER_CONTRACT_VERSION,
  CORE_VERSION,
  LgxValidationError,
  assertConfig,
  checkCompatibility,
  defineAdapter,
  isAdapterDefinition,
  validateConfig,
  type AdapterSpec,
  type Capability,
} from '@lgx/core';

const configSchema = {
  type: 'object',
  required: ['baseUrl', 'apiKey'],
  additionalProperties: false,
  properties: {
    baseUrl: { type: 'string', format: 'uri' },
    apiKey: { type: 'string', minLength: 8, 'x-lgx-secret': true },
    timeoutMs: { type: 'integer', minimum: 100 },
  },
};

function spec(
  overrides: Partial<AdapterSpec<readonly Capability[], unknown>> = {},
): AdapterSpec<readonly Capability[], { baseUrl: string; apiKey: string }> {
  return {
    manifest: { id: 'acme-waste', vendor: 'Acme', product: 'Acme Waste', version: '1.2.0', sdk: '^1.0.0', domains: ['waste'] },
    configSchema,
    capabilities: [{ type: 'street.report', versions: [1], operations: ['submit', 'getStatus'], idempotency: 'key' }],
    create: () => ({ submit: async () => ({ externalRef: 'R1' }) }),
    ...(overrides as object),
  } as AdapterSpec<readonly Capability[], { baseUrl: string; apiKey: string }>;
}

describe('defineAdapter', () => {
  it('returns a branded definition whose declared parts are plain data', () => {
    const def = defineAdapter(spec());
    expect(isAdapterDefinition(def)).toBe(true);
    expect(JSON.parse(JSON.stringify({ manifest: def.manifest, capabilities: def.capabilities, configSchema: def.configSchema }))).toEqual({
      manifest: spec().manifest,
      capabilities: spec().capabilities,
      configSchema,
    });
  });

  it('types submit by the declared capabilities', async () => {
    const def = defineAdapter({
      ...spec(),
      capabilities: [{ type: 'street.report', versions: [1], operations: ['submit'] }],
      create: () => ({
        // The parameter is typed Transaction<'street.report'>: data.kind is the street report's enum.
        submit: async (tx) => ({ externalRef: `SR-${tx.data.kind}` }),
      }),
    });
    const instance = await def.create({} as never, { baseUrl: 'https://x.example', apiKey: 'k' } as never);
    await expect(instance.submit!({ data: { kind: 'pothole' } } as never, { signal: new AbortController().signal })).resolves.toEqual({
      externalRef: 'SR-pothole',
    });
  });

  it('names every problem in a malformed manifest', () => {
    const bad = spec({ manifest: { id: 'Acme Waste', vendor: '', product: 'x', version: 'one', sdk: '^0.1.0', domains: [] } as never });
    expect(() => defineAdapter(bad)).toThrow(LgxValidationError);
    try {
      defineAdapter(bad);
    } catch (error) {
      const e = error as LgxValidationError;
      expect(e.code).toBe('LGX_ERR_ADAPTER_DEFINITION_INVALID');
      expect(e.issues.map((i) => i.path)).toEqual(
        expect.arrayContaining(['/manifest/id', '/manifest/vendor', '/manifest/version', '/manifest/domains']),
      );
    }
  });

  it('refuses an unknown type, an unknown version, a query operation on a transaction, and a bad range', () => {
    expect(() => defineAdapter(spec({ capabilities: [{ type: 'waste.missedBin', versions: [1], operations: ['submit'] }] }))).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: '/capabilities/0/type', rule: 'knownType' })] }),
    );
    expect(() => defineAdapter(spec({ capabilities: [{ type: 'street.report', versions: [3], operations: ['submit'] }] }))).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: '/capabilities/0/versions/0', rule: 'knownVersion' })] }),
    );
    expect(() => defineAdapter(spec({ capabilities: [{ type: 'street.report', versions: [1], operations: ['query'] }] }))).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ rule: 'operationKind' })] }),
    );
    expect(() => defineAdapter(spec({ manifest: { ...spec().manifest, sdk: 'latest please' } }))).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: '/manifest/sdk', rule: 'semverRange' })] }),
    );
  });

  it('refuses a secret-looking config field that does not say whether it is secret', () => {
    const schema = {
      ...configSchema,
      properties: { ...configSchema.properties, clientSecret: { type: 'string' }, tokenUrl: { type: 'string' } },
    };
    expect(() => defineAdapter(spec({ configSchema: schema }))).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: '/configSchema/clientSecret', rule: 'secretMarked' })] }),
    );
  });

  it('refuses a config schema that is not valid JSON Schema', () => {
    expect(() => defineAdapter(spec({ configSchema: { type: 'object', properties: { a: { type: 'strang' } } } }))).toThrow(
      expect.objectContaining({
        code: 'LGX_ERR_ADAPTER_DEFINITION_INVALID',
        issues: [expect.objectContaining({ path: '/configSchema', rule: 'schema' })],
      }),
    );
  });
});

describe('checkCompatibility', () => {
  it('checks the adapter contract version, which is not the package version', () => {
    expect(ADAPTER_CONTRACT_VERSION).toMatch(/^[1-9][0-9]*\.[0-9]+\.[0-9]+$/);
    expect(ADAPTER_CONTRACT_VERSION).not.toBe(CORE_VERSION);
  });

  it('accepts an adapter whose range includes this contract, and later minors of it', () => {
    expect(() => checkCompatibility(defineAdapter(spec()))).not.toThrow();
    expect(() => checkCompatibility(defineAdapter(spec()), '1.9.0')).not.toThrow();
  });

  it('refuses one whose range does not, naming both versions', () => {
    const def = defineAdapter(spec({ manifest: { ...spec().manifest, sdk: '^2.0.0' } }));
    expect(() => checkCompatibility(def)).toThrow(
      expect.objectContaining({
        code: 'LGX_ERR_ADAPTER_INCOMPATIBLE',
        message: `adapter 'acme-waste' 1.2.0 supports adapter contract ^2.0.0, but @lgx/core ${CORE_VERSION} implements adapter contract ${ADAPTER_CONTRACT_VERSION}`,
        details: expect.objectContaining({ supported: '^2.0.0', installed: ADAPTER_CONTRACT_VERSION, core: CORE_VERSION }),
      }),
    );
    expect(() => checkCompatibility(defineAdapter(spec()), '2.0.0')).toThrow(
      /supports adapter contract \^1\.0\.0, but @lgx\/core \S+ implements adapter contract 2\.0\.0$/,
    );
  });

  it('tells an adapter that wrote its range against the package version what to write', () => {
    const def = defineAdapter(spec({ manifest: { ...spec().manifest, sdk: `^${CORE_VERSION}` } }));
    expect(() => checkCompatibility(def)).toThrow(
      `(manifest.sdk is a range of the adapter contract version, not of the @lgx/core package version: write ^${ADAPTER_CONTRACT_VERSION})`,
    );
  });
});

describe('config validation', () => {
  const def = defineAdapter(spec());

  it('accepts a valid config and types it', () => {
    const config = assertConfig(def, { baseUrl: 'https://waste.example.org/api', apiKey: 'k-123456789' });
    expect(config.baseUrl).toBe('https://waste.example.org/api');
  });

  it('names the field and rule, never the secret value', () => {
    const leaked = 'short';
    const result = validateConfig(def, { baseUrl: 'not a url', apiKey: leaked, extra: 1 });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/baseUrl', rule: 'format' }),
        expect.objectContaining({ path: '/apiKey', rule: 'minLength' }),
        expect.objectContaining({ path: '/extra', rule: 'additionalProperties' }),
      ]),
    );
    expect(() => assertConfig(def, { baseUrl: 'https://x.example', apiKey: leaked })).toThrow(
      expect.objectContaining({ code: 'LGX_ERR_ADAPTER_CONFIG_INVALID', message: expect.stringContaining("adapter 'acme-waste' config") }),
    );
    try {
      assertConfig(def, { baseUrl: 'https://x.example', apiKey: leaked });
    } catch (error) {
      expect(JSON.stringify(error)).not.toContain(leaked);
      expect((error as Error).message).not.toContain(leaked);
    }
  });
});
