import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTransaction, type Envelope } from '@lgx/core';
import { instantiateAdapter } from '@lgx/core/host';
import { createMemoryLogger, loadFixtures, soapFault } from '@lgx/testkit';
import {
  hostileXmlFault,
  startStreetWorksSimulator,
  STREET_WORKS_PASSWORD,
  STREET_WORKS_USERNAME,
  STREET_WORKS_WSDL,
  type StreetWorksSimulator,
} from '../src/testing';
import adapter, { defineSoapAdapter, streetWorksExampleConfig, type SoapAdapterConfig } from '../src';

const credentials = { username: STREET_WORKS_USERNAME, password: STREET_WORKS_PASSWORD };
const signal = () => AbortSignal.timeout(5000);
const fixture = (name: string) =>
  structuredClone(loadFixtures('street.report', { kind: 'valid' }).find((f) => f.name === name)!.data) as Record<string, unknown>;
const report = (data: unknown, idempotencyKey = `key-${Math.random()}`) =>
  createTransaction('street.report', data as never, { council: 'E07000223', idempotencyKey, validate: false });

let sim: StreetWorksSimulator;
beforeAll(async () => {
  sim = await startStreetWorksSimulator();
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

async function instance(config: Partial<SoapAdapterConfig> = {}, mappings: Record<string, Record<string, string>> = {}) {
  const memory = createMemoryLogger('debug');
  const { instance: a } = await instantiateAdapter(
    adapter,
    { ...streetWorksExampleConfig(sim.wsdlUrl, credentials), ...config },
    { mappings, retry: false, logger: memory.logger },
  );
  return Object.assign(a, { logs: memory.entries });
}

async function failure(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) throw new Error('expected the call to fail');
  return error as Record<string, unknown>;
}

describe('submit street.report to Streetworks Exchange', () => {
  it('raises the defect from canonical data, passing the idempotency key as ClientReference', async () => {
    const a = await instance();
    const receipt = await a.submit!(report(fixture('pothole-with-coordinates'), 'fms-4512'), { signal: signal() });
    expect(receipt).toEqual({
      externalRef: 'DEF-000001',
      status: 'open',
      externalStatusCode: 'RAISED',
      acceptedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(sim.state.defects.get('DEF-000001')).toMatchObject({
      clientReference: 'fms-4512',
      defectType: 'POTHOLE',
      priority: 'P1',
      location: {
        Usrn: '8400709',
        Easting: '545125',
        Northing: '258250',
        Latitude: '52.2053',
        Longitude: '0.1218',
        LocationNote: 'Nearside lane, 20m before the bus stop',
      },
    });
    const sent = sim.requests.find((r) => r.body.includes('RaiseDefect'))!.body;
    expect(sent).toMatch(/<sh:SessionToken xmlns:sh="http:\/\/kerbline\.example\/streetworks-exchange\/v2">[^<]+<\/sh:SessionToken>/);
    expect(sent).toContain('<PhotoUrl>https://media.example.org/reports/4512/pothole.jpg</PhotoUrl>');
  });

  it('builds an address line and the asset id, and lets a council mapping table choose the defect type', async () => {
    const a = await instance({}, { defectType: { fly_tipping: 'OTHER' } });
    await a.submit!(report(fixture('fly-tipping-at-address')), { signal: signal() });
    await a.submit!(report(fixture('street-light-by-asset')), { signal: signal() });
    expect(sim.state.defects.get('DEF-000001')).toMatchObject({
      defectType: 'OTHER',
      priority: 'P3',
      location: { AddressText: '12-18, Mill Road, Cambridge, CB1 2AD' },
    });
    expect(sim.state.defects.get('DEF-000002')).toMatchObject({
      defectType: 'LIGHTING',
      assetId: 'SL-0412',
      location: { Usrn: '8400709' },
    });
  });

  it('gives the same reference for the same idempotency key and creates one defect', async () => {
    const a = await instance();
    const tx = report(fixture('street-light-by-asset'), 'same-key');
    const first = await a.submit!(tx, { signal: signal() });
    const second = await a.submit!(structuredClone(tx), { signal: signal(), attempt: 2 });
    expect(second.externalRef).toBe(first.externalRef);
    expect(sim.state.defects.size).toBe(1);
  });

  it('refuses invalid or hostile canonical data before any network call, naming the field', async () => {
    const a = await instance();
    const wrongType = { ...fixture('street-light-by-asset'), kind: 42 };
    const oversized = { ...fixture('street-light-by-asset'), description: 'x'.repeat(100_000) };
    const prototype = JSON.parse(
      '{"kind":"litter","description":"Bags","location":{"usrn":"8400709"},"attributes":{"__proto__":{"polluted":true}}}',
    ) as unknown;
    for (const data of [wrongType, oversized, prototype]) {
      const error = await failure(a.submit!(report(data) as never, { signal: signal() }));
      expect(error).toMatchObject({ code: 'LGX_ERR_VALIDATION_INVALID' });
    }
    expect((await failure(a.submit!(report(wrongType) as never, { signal: signal() }))).issues).toEqual([
      expect.objectContaining({ path: '/kind', rule: 'type' }),
      expect.objectContaining({ path: '/kind', rule: 'enum' }),
    ]);
    expect(sim.requests.filter((r) => r.method === 'POST')).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('sends markup and entity declarations in canonical text as escaped text, never as XML', async () => {
    const a = await instance();
    const hostile = '<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>&e; </Description><Injected/>';
    await a.submit!(report({ ...fixture('street-light-by-asset'), description: hostile }), { signal: signal() });
    expect(sim.state.defects.get('DEF-000001')!.description).toBe(hostile);
    const sent = sim.requests.find((r) => r.body.includes('RaiseDefect'))!.body;
    expect(sent).not.toContain('<!DOCTYPE');
    expect(sent).not.toContain('<Injected/>');
  });

  it('classifies a result the fault rules match: a street outside the area is permanent with the vendor code', async () => {
    const a = await instance();
    const data = fixture('street-light-by-asset');
    (data.location as Record<string, unknown>).usrn = '99000001';
    const error = await failure(a.submit!(report(data), { signal: signal() }));
    expect(error).toMatchObject({
      classification: 'permanent',
      vendorCode: 'OUT_OF_AREA',
      message: expect.stringContaining('/faultRules/5'),
    });
    expect(sim.state.defects.size).toBe(0);
  });
});

describe('faults and auth', () => {
  it('classifies SOAP faults by the configured rules, then the built-in ones', async () => {
    const a = await instance({
      faultRules: [
        { code: 'ValidationFailed', classification: 'permanent' },
        { code: 'Throttled', classification: 'rateLimited' },
        { string: 'maintenance', classification: 'retryable' },
        { code: 'UnknownDefect', classification: 'notFound' },
      ],
    });
    const tx = () => report(fixture('street-light-by-asset'));
    await a.submit!(tx(), { signal: signal() }); // logs in first, so the scripted faults meet RaiseDefect
    sim.faults.failNext(1, soapFault({ code: 'sw:ValidationFailed', string: 'Description too long' }));
    await expect(a.submit!(tx(), { signal: signal() })).rejects.toMatchObject({
      classification: 'permanent',
      vendorCode: 'sw:ValidationFailed',
    });
    sim.faults.failNext(1, soapFault({ code: 'sw:Throttled', string: 'slow down', status: 429, headers: { 'retry-after': '30' } }));
    await expect(a.submit!(tx(), { signal: signal() })).rejects.toMatchObject({ classification: 'rateLimited', retryAfterMs: 30_000 });
    sim.faults.failNext(1, soapFault({ code: 'sw:Busy', string: 'nightly maintenance', status: 500 }));
    await expect(a.submit!(tx(), { signal: signal() })).rejects.toMatchObject({ classification: 'retryable' });
    sim.faults.failNext(1, soapFault({ code: 'soap:Client', string: 'malformed request' }));
    await expect(a.submit!(tx(), { signal: signal() })).rejects.toMatchObject({ classification: 'permanent' });
    await expect(a.getStatus!('DEF-424242', { signal: signal() })).rejects.toMatchObject({ classification: 'notFound' });
  });

  it('logs in once, and logs in again when a fault says the session expired', async () => {
    const a = await instance();
    await a.submit!(report(fixture('street-light-by-asset')), { signal: signal() });
    await a.submit!(report(fixture('street-light-by-asset')), { signal: signal() });
    expect(sim.state.logins).toBe(1);
    sim.expireSessions();
    await expect(a.submit!(report(fixture('street-light-by-asset')), { signal: signal() })).resolves.toMatchObject({
      externalRef: 'DEF-000003',
    });
    expect(sim.state.logins).toBe(2);
  });

  it('refuses a wrong password as auth, without the password in the error or the logs', async () => {
    const a = await instance({
      auth: {
        type: 'session',
        login: { operation: 'Login', args: { Username: STREET_WORKS_USERNAME, Password: 'not-the-password' }, tokenPath: 'Session.Token' },
        apply: { header: 'SessionToken' },
      },
    });
    const error = await failure(a.submit!(report(fixture('street-light-by-asset')), { signal: signal() }));
    expect(error).toMatchObject({ classification: 'auth', vendorCode: 'sw:InvalidCredentials' });
    expect(JSON.stringify({ message: error.message, logs: a.logs })).not.toContain('not-the-password');
  });

  it('sends a WS-Security UsernameToken when configured', async () => {
    const ws = await startStreetWorksSimulator({ auth: 'wsSecurity' });
    try {
      const config = { ...streetWorksExampleConfig(ws.wsdlUrl, credentials), auth: { type: 'wsSecurity' as const, ...credentials } };
      const { instance: a } = await instantiateAdapter(adapter, config, { retry: false });
      await expect(a.submit!(report(fixture('street-light-by-asset')) as never, { signal: signal() })).resolves.toMatchObject({
        externalRef: 'DEF-000001',
      });
      expect(ws.requests.at(-1)!.body).toContain('UsernameToken');
      const { instance: wrong } = await instantiateAdapter(
        adapter,
        { ...config, auth: { ...config.auth, password: 'wrong-password' } },
        { retry: false },
      );
      await expect(wrong.submit!(report(fixture('street-light-by-asset')) as never, { signal: signal() })).rejects.toMatchObject({
        classification: 'auth',
      });
    } finally {
      await ws.close();
    }
  });

  it('refuses a hostile XML response (DOCTYPE, external entity) unread, as permanent', async () => {
    const a = await instance();
    await a.submit!(report(fixture('street-light-by-asset')), { signal: signal() });
    sim.faults.failNext(1, hostileXmlFault());
    await expect(a.submit!(report(fixture('street-light-by-asset')), { signal: signal() })).rejects.toMatchObject({
      classification: 'permanent',
      code: 'LGX_ERR_SOAP_UNSAFE_XML',
    });
  });

  it('refuses a response over maxResponseBytes as permanent', async () => {
    // Room for the WSDL (read through the same limit), not for the answer below.
    const a = await instance({ maxResponseBytes: Buffer.byteLength(STREET_WORKS_WSDL) + 1024 });
    await a.submit!(report(fixture('street-light-by-asset')), { signal: signal() }).catch(() => undefined);
    sim.faults.failNext(1, {
      malformed: true,
      contentType: 'text/xml',
      body: `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><x>${'a'.repeat(50_000)}</x></soap:Body></soap:Envelope>`,
    });
    await expect(a.getStatus!('DEF-000001', { signal: signal() })).rejects.toMatchObject({
      classification: 'permanent',
      code: 'LGX_ERR_TRANSPORT_RESPONSE_TOO_LARGE',
    });
  });

  it('stops a call with a live session when its signal times out or is aborted, as retryable', async () => {
    const a = await instance();
    await a.submit!(report(fixture('street-light-by-asset')), { signal: signal() });
    sim.faults.failNext(2, { timeout: true });
    await expect(a.submit!(report(fixture('street-light-by-asset')), { signal: AbortSignal.timeout(200) })).rejects.toMatchObject({
      classification: 'retryable',
    });
    const controller = new AbortController();
    const pending = a.getStatus!('DEF-000001', { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ classification: 'retryable', code: 'LGX_ERR_TRANSPORT_ABORTED' });
  });
});

describe('status', () => {
  it('maps the vendor status through statusMap, keeping the vendor code and the public note', async () => {
    const a = await instance();
    const { externalRef } = await a.submit!(report(fixture('pothole-with-coordinates')), { signal: signal() });
    sim.setStatus(externalRef, 'NOT_OURS', 'Private road: passed to the landowner');
    await expect(a.getStatus!(externalRef, { signal: signal() })).resolves.toEqual({
      externalRef,
      status: 'not_councils_responsibility',
      externalStatusCode: 'NOT_OURS',
      description: 'Private road: passed to the landowner',
      updatedAt: expect.any(String),
      source: 'soap',
    });
  });

  it('polls changes with a cursor, each once, in order', async () => {
    const a = await instance();
    const first = await a.pollUpdates!(undefined, { signal: signal() });
    expect(first).toEqual({ updates: [], cursor: '0' });
    const { externalRef } = await a.submit!(report(fixture('pothole-with-coordinates')), { signal: signal() });
    sim.setStatus(externalRef, 'SCHEDULED');
    sim.setStatus(externalRef, 'COMPLETED', 'Filled');
    const next = await a.pollUpdates!(first.cursor, { signal: signal() });
    expect(next.updates.map((u) => [u.updateId, u.status, u.externalStatusCode])).toEqual([
      ['1', 'open', 'RAISED'],
      ['2', 'action_scheduled', 'SCHEDULED'],
      ['3', 'fixed', 'COMPLETED'],
    ]);
    expect(next.cursor).toBe('3');
    await expect(a.pollUpdates!(next.cursor, { signal: signal() })).resolves.toEqual({ updates: [], cursor: '3' });
  });

  it('reports a status code missing from statusMap with the "*" entry, or as open with a warning', async () => {
    const a = await instance({ statusMap: { RAISED: 'open' } });
    const { externalRef } = await a.submit!(report(fixture('street-light-by-asset')), { signal: signal() });
    sim.setStatus(externalRef, 'INSPECTED');
    await expect(a.getStatus!(externalRef, { signal: signal() })).resolves.toMatchObject({
      status: 'open',
      externalStatusCode: 'INSPECTED',
    });
    expect(a.logs).toContainEqual(expect.objectContaining({ level: 'warn', msg: expect.stringContaining('statusMap') }));
    const b = await instance({ statusMap: { '*': 'for_triage' } });
    await expect(b.getStatus!(externalRef, { signal: signal() })).resolves.toMatchObject({ status: 'for_triage' });
  });
});

describe('configuration', () => {
  const base = () => streetWorksExampleConfig('http://127.0.0.1:9/none?wsdl', credentials);

  it('reports a bad JSONata expression or regular expression as a config error naming its path', async () => {
    const config = base();
    config.operations['street.report']!.submit.request = '{ "ClientReference": idempotencykey, ';
    config.faultRules!.push({ string: '(unclosed', classification: 'retryable' });
    const error = await failure(instantiateAdapter(adapter, config));
    expect(error).toMatchObject({
      code: 'LGX_ERR_ADAPTER_CONFIG_INVALID',
      issues: [
        expect.objectContaining({ path: '/operations/street.report/submit/request', rule: 'jsonata' }),
        expect.objectContaining({ path: `/faultRules/${config.faultRules!.length - 1}/string`, rule: 'regex' }),
      ],
    });
  });

  it('validates the config against its JSON Schema, naming fields and marking the password secret', async () => {
    await expect(instantiateAdapter(adapter, { operations: base().operations, timeoutMs: 'soon' })).rejects.toMatchObject({
      code: 'LGX_ERR_ADAPTER_CONFIG_INVALID',
      issues: expect.arrayContaining([
        expect.objectContaining({ path: '/wsdl', rule: 'required' }),
        expect.objectContaining({ path: '/timeoutMs' }),
      ]),
    });
    const { secrets } = await instantiateAdapter(adapter, { ...base(), auth: { type: 'wsSecurity', ...credentials } });
    expect(secrets).toEqual([STREET_WORKS_PASSWORD]);
    const session = await instantiateAdapter(adapter, base());
    expect(session.secrets).toEqual(expect.arrayContaining([STREET_WORKS_USERNAME, STREET_WORKS_PASSWORD]));
  });

  it('refuses types it cannot serve in the config, and unmapped ones at submit as unsupported', async () => {
    const config = { ...base(), operations: { ...base().operations, 'waste.collectionSchedule': base().operations['street.report']! } };
    await expect(instantiateAdapter(adapter, config)).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: '/operations/waste.collectionSchedule', rule: 'capability' })],
    });
    await expect(instantiateAdapter(defineSoapAdapter(['street.report', 'crm.case']), base())).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: '/operations/crm.case', rule: 'required' })],
    });
    const a = await instance({ status: undefined as never, poll: undefined as never });
    const missed = createTransaction(
      'waste.missedCollection',
      loadFixtures('waste.missedCollection', { kind: 'valid' })[0]!.data as never,
      { council: 'E07000223' },
    );
    await expect(a.submit!(missed as unknown as Envelope as never, { signal: signal() })).rejects.toMatchObject({
      classification: 'unsupported',
      code: 'LGX_ERR_ADAPTER_OPERATION_UNSUPPORTED',
    });
    await expect(a.getStatus!('DEF-1', { signal: signal() })).rejects.toMatchObject({
      classification: 'unsupported',
      message: expect.stringContaining("'status'"),
    });
    await expect(a.pollUpdates!(undefined, { signal: signal() })).rejects.toMatchObject({ classification: 'unsupported' });
  });

  it('reports a mapping that fails or gives an unusable receipt as permanent, naming the mapping, not the data', async () => {
    const broken = base();
    broken.wsdl = sim.wsdlUrl;
    broken.operations['street.report']!.submit.request = '{ "ClientReference": $number(data.description) }';
    const a = await instance({ operations: broken.operations });
    const failed = await failure(a.submit!(report(fixture('street-light-by-asset')), { signal: signal() }));
    expect(failed).toMatchObject({
      classification: 'permanent',
      message: expect.stringContaining('/operations/street.report/submit/request'),
    });
    expect(String(failed.message)).not.toContain('Light is on');
    const noRef = base();
    noRef.operations['street.report']!.submit.response = '{ "externalStatusCode": StatusCode }';
    const b = await instance({ operations: noRef.operations });
    await expect(b.submit!(report(fixture('street-light-by-asset')), { signal: signal() })).rejects.toMatchObject({
      classification: 'permanent',
      message: expect.stringMatching(/\/operations\/street\.report\/submit\/response .*externalRef/),
    });
  });

  it("drops a receipt attribute holding the transaction's personal data, with a warning naming it", async () => {
    const config = base();
    config.operations['street.report']!.submit.response =
      '{ "externalRef": DefectReference, "attributes": { "reportedBy": $mappings.desk.officer, "desk": "highways" } }';
    const a = await instance({ operations: config.operations }, { desk: { officer: 'Alex Example' } });
    const receipt = await a.submit!(report(fixture('pothole-with-coordinates')), { signal: signal() });
    expect(receipt).toEqual({ externalRef: 'DEF-000001', attributes: { desk: 'highways' } });
    expect(a.logs.find((e) => e.msg.startsWith('receipt attribute holds personal data'))).toMatchObject({
      attribute: 'reportedBy',
      mapping: '/operations/street.report/submit/response',
    });
    expect(JSON.stringify(a.logs)).not.toContain('Alex');
  });

  it('loads the WSDL from a file path, with the endpoint from the config', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-soap-'));
    const file = path.join(dir, 'streetworks-exchange.wsdl');
    fs.writeFileSync(file, STREET_WORKS_WSDL);
    try {
      const a = await instance({ wsdl: file, endpoint: sim.endpoint });
      await expect(a.check!({ signal: signal() })).resolves.toMatchObject({ ok: true });
      await expect(a.submit!(report(fixture('street-light-by-asset')), { signal: signal() })).resolves.toMatchObject({
        externalRef: 'DEF-000001',
      });
      expect(sim.requests.some((r) => r.method === 'GET')).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps examples/street-works.json in step with streetWorksExampleConfig', () => {
    const file = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'examples', 'street-works.json'), 'utf8')) as unknown;
    expect(file).toEqual(
      streetWorksExampleConfig('${env:STREETWORKS_WSDL}', {
        username: '${env:STREETWORKS_USERNAME}',
        password: '${env:STREETWORKS_PASSWORD}',
      }),
    );
  });
});
