import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { instantiateAdapter } from '@lgx/core/host';
import {
  startFieldbookSimulator,
  FIELDBOOK_API_KEY,
  FIELDBOOK_CLIENT_SECRET,
  FIELDBOOK_OPENAPI,
  FIELDBOOK_PASSWORD,
  FIELDBOOK_USERNAME,
  type FieldbookAuthMode,
  type FieldbookSimulator,
} from '../src/testing';
import adapter, { defineRestAdapter, fieldbookExampleConfig, type AuthConfig, type RestAdapterConfig } from '../src';
import { exampleConfig, fixture, instance, rejection, signal, tx } from './helpers';

type Issue = { path: string; rule: string; message: string };
const create = (c: unknown) => rejection(instantiateAdapter(adapter, c, { retry: false }));
const missedBin = () => tx('waste.missedCollection', fixture('waste.missedCollection', 'recycling-bin-out-not-emptied'));

let sim: FieldbookSimulator;
beforeAll(async () => {
  sim = await startFieldbookSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

describe('configuration', () => {
  it('keeps examples/fieldbook.json in step with fieldbookExampleConfig', () => {
    const file = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'examples', 'fieldbook.json'), 'utf8')) as unknown;
    expect(file).toEqual(
      fieldbookExampleConfig({
        baseUrl: '${env:FIELDBOOK_BASE_URL}',
        tokenUrl: '${env:FIELDBOOK_TOKEN_URL}',
        clientId: '${env:FIELDBOOK_CLIENT_ID}',
        clientSecret: '${env:FIELDBOOK_CLIENT_SECRET}',
      }),
    );
  });

  it('names each field the schema refuses, with its rule, and never echoes a secret', async () => {
    const c = exampleConfig(sim) as unknown as Record<string, unknown> & {
      operations: Record<string, { submit: Record<string, unknown> }>;
      auth: Record<string, unknown>;
    };
    c.baseUrl = 'ftp://fieldbook.example';
    c.operations['street.report']!.submit.method = 'FETCH';
    c.auth.clientAuth = 'header';
    c.statusMap = { received: 'opened' };
    const error = await create(c);
    expect(error.code).toBe('LGX_ERR_ADAPTER_CONFIG_INVALID');
    const issues = error.issues as Issue[];
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/baseUrl', rule: 'pattern' }),
        expect.objectContaining({ path: '/operations/street.report/submit/method', rule: 'enum' }),
        expect.objectContaining({ path: '/auth/clientAuth', rule: 'enum' }),
        expect.objectContaining({ path: '/statusMap/received', rule: 'enum' }),
      ]),
    );
    expect(JSON.stringify(error)).not.toContain(FIELDBOOK_CLIENT_SECRET);
    expect(error.message).not.toContain(FIELDBOOK_CLIENT_SECRET);
  });

  it('names the auth type whose field is missing', async () => {
    const c = { ...exampleConfig(sim), auth: { type: 'apiKey', in: 'header', value: 'k' } };
    const issues = (await create(c)).issues as Issue[];
    expect(issues).toEqual([expect.objectContaining({ path: '/auth/name', rule: 'required' })]);
  });

  it('refuses, naming the config path, JSONata and templates that do not compile, a GET with a body, and a rule that cannot apply', async () => {
    const c = exampleConfig(sim);
    c.operations['street.report']!.submit.body = '{ "title": data.title';
    c.status!.path = '/requests/{externalRef';
    c.poll!.body = '{}';
    c.errorRules = [{ status: 409, classification: 'permanent', retryAfterSeconds: 'wait' }];
    const error = await create(c);
    expect(error.code).toBe('LGX_ERR_ADAPTER_CONFIG_INVALID');
    expect(error.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/operations/street.report/submit/body', rule: 'jsonata' }),
        expect.objectContaining({ path: '/status/path', rule: 'template' }),
        expect.objectContaining({ path: '/poll/body', rule: 'method' }),
        expect.objectContaining({ path: '/errorRules/0/retryAfterSeconds', rule: 'errorRule' }),
      ]),
    );
  });

  it('refuses a submit without idempotency (a retry could make a second record) and a type it does not serve', async () => {
    const c = exampleConfig(sim);
    delete c.operations['waste.missedCollection']!.submit.idempotency;
    (c.operations as Record<string, unknown>)['statusUpdate'] = c.operations['street.report'];
    const issues = (await create(c)).issues as Issue[];
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/operations/waste.missedCollection/submit/idempotency', rule: 'idempotency' }),
        expect.objectContaining({ path: '/operations/statusUpdate', rule: 'capability' }),
      ]),
    );
  });

  it('with defineRestAdapter, demands every declared type and the declared idempotency method', async () => {
    const declared = defineRestAdapter(['street.report', 'crm.case'], { 'street.report': 'key' });
    const error = await rejection(instantiateAdapter(declared, exampleConfig(sim), { retry: false }));
    expect(error.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/operations/crm.case', rule: 'required' }),
        expect.objectContaining({
          path: '/operations/street.report/submit/idempotency',
          rule: 'idempotency',
          message: expect.stringContaining('a header'),
        }),
        expect.objectContaining({ path: '/operations/waste.missedCollection', rule: 'capability' }),
      ]),
    );
  });

  it('refuses a type the configuration does not map as unsupported, naming the setting', async () => {
    const { a } = await instance(exampleConfig(sim));
    await expect(
      a.submit!(tx('crm.case', fixture('crm.case', 'anonymous-staff-case')) as never, { signal: signal() }),
    ).rejects.toMatchObject({
      classification: 'unsupported',
      message: expect.stringContaining('operations.crm.case.submit'),
    });
  });
});

describe('OpenAPI check', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-rest-openapi-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('accepts the example against the document the system serves, and from a YAML file', async () => {
    await expect(instance(exampleConfig(sim, { openapi: true }))).resolves.toBeDefined();
    const file = path.join(dir, 'fieldbook.yaml');
    // JSON is YAML: written with a leading comment so the YAML parser reads it.
    fs.writeFileSync(file, `# Fieldbook\n${JSON.stringify(FIELDBOOK_OPENAPI)}`);
    await expect(instance({ ...exampleConfig(sim), openapi: file })).resolves.toBeDefined();
  });

  it('refuses, at load, a request whose path or method the document does not define, naming each by config path', async () => {
    const c = exampleConfig(sim, { openapi: true });
    c.status!.path = '/request/{externalRef}';
    c.operations['waste.missedCollection']!.submit.method = 'PUT';
    const error = await rejection(instance(c));
    expect(error.code).toBe('LGX_ERR_ADAPTER_OPENAPI_MISMATCH');
    expect(error.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: '/status/path',
          rule: 'openapi',
          message: expect.stringContaining('GET /request/{} is not a path'),
        }),
        expect.objectContaining({
          path: '/operations/waste.missedCollection/submit/method',
          rule: 'openapi',
          message: expect.stringContaining('PUT is not an operation of /requests'),
        }),
      ]),
    );
    expect(sim.requests.filter((r) => r.path !== '/v2/openapi.json')).toHaveLength(0);
  });

  it('refuses a document it cannot read, or one that is not OpenAPI 3', async () => {
    const missing = await rejection(instance({ ...exampleConfig(sim), openapi: path.join(dir, 'none.json') }));
    expect(missing).toMatchObject({
      code: 'LGX_ERR_ADAPTER_OPENAPI_MISMATCH',
      issues: [expect.objectContaining({ path: '/openapi', message: expect.stringContaining('could not be read (ENOENT)') })],
    });
    const swagger = path.join(dir, 'swagger.json');
    fs.writeFileSync(swagger, JSON.stringify({ swagger: '2.0', paths: {} }));
    const old = await rejection(instance({ ...exampleConfig(sim), openapi: swagger }));
    expect(old).toMatchObject({
      code: 'LGX_ERR_ADAPTER_OPENAPI_MISMATCH',
      issues: [expect.objectContaining({ message: expect.stringContaining('not an OpenAPI 3 document') })],
    });
  });
});

describe('auth strategies, each against the simulator in that mode', () => {
  const modes: Array<[FieldbookAuthMode, AuthConfig]> = [
    ['basic', { type: 'basic', username: FIELDBOOK_USERNAME, password: FIELDBOOK_PASSWORD }],
    ['apiKeyHeader', { type: 'apiKey', in: 'header', name: 'x-api-key', value: FIELDBOOK_API_KEY }],
    ['apiKeyQuery', { type: 'apiKey', in: 'query', name: 'api_key', value: FIELDBOOK_API_KEY }],
  ];
  it.each(modes)(
    '%s: delivers with the right credential, and a wrong one is auth with the credential in no message or log',
    async (mode, auth) => {
      const other = await startFieldbookSimulator({ auth: mode });
      try {
        const base: RestAdapterConfig = { ...exampleConfig(other), auth };
        const { a } = await instance(base);
        await expect(a.submit!(missedBin() as never, { signal: signal() })).resolves.toMatchObject({
          externalRef: expect.stringMatching(/^FB-/),
        });
        const wrong = JSON.parse(JSON.stringify(auth).replace(/(fieldbook-password|fieldbook-api-key)-0/, '$1-9')) as AuthConfig;
        const { a: b, logs } = await instance({ ...base, auth: wrong });
        const error = await rejection(b.submit!(missedBin() as never, { signal: signal() }));
        expect(error).toMatchObject({ classification: 'auth', status: 401 });
        const secret = 'password' in wrong ? wrong.password : 'value' in wrong ? wrong.value : '';
        expect(JSON.stringify({ message: error.message, logs })).not.toContain(secret.slice(0, 12));
        expect(other.state.requests.size).toBe(1);
      } finally {
        await other.close();
      }
    },
  );

  it('OAuth 2.0: one token for many calls; a token expired mid-run is refreshed once and the call goes through', async () => {
    const { a } = await instance(exampleConfig(sim));
    await a.submit!(missedBin() as never, { signal: signal() });
    await a.submit!(missedBin() as never, { signal: signal() });
    expect(sim.state.tokensIssued).toBe(1);
    sim.expireTokens();
    await expect(a.submit!(missedBin() as never, { signal: signal() })).resolves.toMatchObject({
      externalRef: expect.stringMatching(/^FB-/),
    });
    expect(sim.state.tokensIssued).toBe(2);
    expect(sim.state.requests.size).toBe(3);
  });

  it('OAuth 2.0: a client secret rotated at the vendor is auth, with neither secret in the message', async () => {
    const { a, logs } = await instance(exampleConfig(sim));
    await a.submit!(missedBin() as never, { signal: signal() });
    sim.rotateClientSecret('fieldbook-rotated-secret-1111111111111111');
    const error = await rejection(a.submit!(missedBin() as never, { signal: signal() }));
    expect(error).toMatchObject({ classification: 'auth' });
    const shown = JSON.stringify({ message: error.message, logs });
    expect(shown).not.toContain(FIELDBOOK_CLIENT_SECRET.slice(0, 12));
    expect(shown).not.toContain('fieldbook-rotated');
    expect(sim.state.requests.size).toBe(1);
  });
});
