import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { createTransaction } from '@lgx/core';
import { instantiateAdapter } from '@lgx/core/host';
import { createSqliteStore, createStack, openStack } from '@lgx/runtime';
import open311Adapter from '@lgx/adapter-open311';
import { API_KEY as WASTE_KEY, progressCase } from '@lgx/adapter-template/testing';
import { waitFor } from '@lgx/testkit';
import { createApiKey, startService } from '../src';
import { COUNCIL, OPEN311_SERVICES, OTHER_COUNCIL, startHarness, type Harness } from './helpers/gateway-harness';

/*
 * The Open311 GeoReport v2 facade over real HTTP, read as FixMyStreet reads it: XML parsed with the
 * elements FMS forces to lists (ForceArray on service, attribute, value, request, error,
 * request_update, group) and every value kept as a string. Set UPDATE_GOLDEN=1 to rewrite the golden
 * files after a deliberate change, and read the diff.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed documents are checked by the assertions
type Doc = any;

const FORCE_ARRAY = new Set(['service', 'attribute', 'value', 'request', 'error', 'request_update', 'group']);
const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => FORCE_ARRAY.has(name),
});
const GOLDEN = path.join(__dirname, 'golden');
const BASE = '/open311/v2';

let h: Harness;
let submitKey: string;
let readKey: string;
let otherKey: string;

interface Call {
  status: number;
  type: string;
  text: string;
  xml: Doc;
  json: Doc;
}

/** One HTTP call to the facade; `form` is sent form-encoded (repeated keys for arrays). */
async function o311(
  method: 'GET' | 'POST',
  resource: string,
  options: { query?: Record<string, string>; form?: Record<string, string | string[]>; raw?: string | Buffer; type?: string } = {},
): Promise<Call> {
  const query = options.query ? `?${new URLSearchParams(options.query).toString()}` : '';
  const headers: Record<string, string> = {};
  let body: string | Buffer | undefined;
  if (options.form) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(options.form)) for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
    body = params.toString();
    headers['content-type'] = options.type ?? 'application/x-www-form-urlencoded';
  } else if (options.raw !== undefined) {
    body = options.raw;
    if (options.type) headers['content-type'] = options.type;
  }
  const response = await fetch(`${h.url}${BASE}/${resource}${query}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  let xml: Doc;
  let json: Doc;
  if (type.startsWith('text/xml')) xml = parser.parse(text);
  if (type.startsWith('application/json')) json = JSON.parse(text);
  return { status: response.status, type, text, xml, json };
}

/** The items of an XML list document (an empty root parses as ''). */
function items(doc: Doc, root: string, item: string): Doc[] {
  const inner = doc?.[root];
  return inner && typeof inner === 'object' ? (inner[item] ?? []) : [];
}

function golden(name: string, text: string): void {
  const file = path.join(GOLDEN, name);
  const normalised = text.split(h.url).join('http://gateway.example');
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, normalised);
  expect(existsSync(file)).toBe(true);
  expect(normalised).toBe(readFileSync(file, 'utf8'));
}

function expectOpen311Error(res: Call, status: number, description: RegExp): void {
  expect(res.status).toBe(status);
  expect(res.type).toMatch(/^text\/xml/);
  expect(res.text.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<errors>')).toBe(true);
  const errors = items(res.xml, 'errors', 'error');
  expect(errors).toHaveLength(1);
  expect(errors[0].code).toBe(String(status));
  expect(errors[0].description).toMatch(description);
}

const pothole = (extra: Record<string, string | string[]> = {}): Record<string, string | string[]> => ({
  api_key: submitKey,
  jurisdiction_id: 'example.gov.uk',
  service_code: 'POT',
  lat: '52.2053',
  long: '0.1218',
  description: 'Deep pothole by the bus stop',
  email: 'resident@example.com',
  first_name: 'Alex',
  'attribute[depth]': 'deep',
  ...extra,
});

/** POSTs a request and answers its service_request_id. */
async function post(form: Record<string, string | string[]>): Promise<string> {
  const res = await o311('POST', 'requests.xml', { form });
  expect(res.status).toBe(200);
  const [request] = items(res.xml, 'service_requests', 'request');
  return request.service_request_id as string;
}

async function delivered(id: string): Promise<void> {
  await waitFor(async () => (await h.stack.get(id))?.deliveries.every((d) => d.state === 'delivered') === true, `delivery of ${id}`);
}

beforeAll(async () => {
  h = await startHarness({ bodyLimit: 64 * 1024 });
  // An Open311 client that reads back status notes (as FixMyStreet does) needs a key allowed personal data.
  submitKey = await h.key(['submit', 'read', 'personal-data']);
  // Open311 shows the texts people wrote (description, address, status notes) only to a key allowed personal data.
  readKey = await h.key(['read', 'personal-data']);
  otherKey = await h.key(['submit', 'read'], OTHER_COUNCIL);
});
afterAll(() => h.close());

describe('discovery and services', () => {
  it('serves the discovery document', async () => {
    const res = await o311('GET', 'discovery.xml');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/xml; charset=utf-8/);
    // The changeset is when this council's services last changed, as the store recorded it.
    const changeset = h.stack.open311Changeset!.toISOString();
    expect(res.xml.discovery.changeset).toBe(changeset);
    expect(Date.parse(changeset)).toBeGreaterThan(Date.parse('2020-01-01'));
    golden('discovery.xml', res.text.split(changeset).join('2026-01-01T00:00:00.000Z'));
    const endpoint = res.xml.discovery.endpoints.endpoint;
    expect(endpoint.changeset).toBe(changeset);
    expect(endpoint).toEqual(
      expect.objectContaining({ specification: 'http://wiki.open311.org/GeoReport_v2', url: `${h.url}/open311/v2`, type: 'production' }),
    );
    expect(endpoint.formats.format).toEqual(['text/xml', 'application/json']);
    const json = await o311('GET', 'discovery.json');
    expect(json.json.endpoints[0].url).toBe(`${h.url}/open311/v2`);
  });

  it('lists the services in XML as FMS reads them, and in JSON', async () => {
    const res = await o311('GET', 'services.xml', { query: { jurisdiction_id: 'example.gov.uk' } });
    expect(res.status).toBe(200);
    golden('services.xml', res.text);
    const services = items(res.xml, 'services', 'service');
    expect(services.map((s: Doc) => s.service_code)).toEqual(['POT', 'MISSED_REFUSE', 'BIN_DAMAGED']);
    expect(services.map((s: Doc) => s.type)).toEqual(['realtime', 'realtime', 'batch']);
    expect(services[0]).toEqual({
      service_code: 'POT',
      service_name: 'Pothole',
      description: 'A hole in the road surface',
      metadata: 'true',
      type: 'realtime',
      keywords: 'road,pothole',
      group: ['Roads'],
    });

    const json = await o311('GET', 'services.json');
    expect(json.type).toMatch(/^application\/json/);
    expect(json.json).toHaveLength(3);
    expect(json.json[1]).toEqual(
      expect.objectContaining({
        service_code: 'MISSED_REFUSE',
        service_name: 'Missed refuse collection',
        metadata: true,
        type: 'realtime',
        group: 'Bins',
      }),
    );
  });

  it('serves a service definition with attributes, values and the automated extension', async () => {
    const res = await o311('GET', 'services/POT.xml');
    expect(res.status).toBe(200);
    golden('services-POT.xml', res.text);
    const definition = res.xml.service_definition;
    expect(definition.service_code).toBe('POT');
    const attributes = definition.attributes.attribute;
    expect(attributes.map((a: Doc) => [a.code, a.datatype, a.required, a.order, a.automated])).toEqual([
      ['depth', 'singlevaluelist', 'true', '1', undefined],
      ['fixmystreet_id', 'string', 'false', '2', 'server_set'],
      ['easting', 'number', 'false', '3', 'server_set'],
      ['northing', 'number', 'false', '4', 'server_set'],
    ]);
    expect(attributes[0].values.value).toEqual([
      { key: 'shallow', name: 'Under 5 cm' },
      { key: 'deep', name: '5 cm or more' },
    ]);

    const json = (await o311('GET', 'services/MISSED_REFUSE.json')).json;
    expect(json.service_code).toBe('MISSED_REFUSE');
    expect(json.attributes.map((a: Doc) => [a.code, a.required, a.automated])).toEqual([
      ['uprn', true, 'hidden_field'],
      ['collection_date', true, undefined],
    ]);
  });

  it('answers 404 in the spec format for an unknown service, resource or jurisdiction', async () => {
    expectOpen311Error(await o311('GET', 'services/NOPE.xml'), 404, /service_code/);
    expectOpen311Error(await o311('GET', 'nothing.xml'), 404, /no such Open311 resource/);
    expectOpen311Error(await o311('GET', 'services.xml', { query: { jurisdiction_id: 'elsewhere.gov.uk' } }), 404, /jurisdiction_id/);
    const json = await o311('GET', 'services/NOPE.json');
    expect(json.status).toBe(404);
    expect(json.json).toEqual([{ code: 404, description: 'service_code is not known' }]);
  });
});

describe('POST requests', () => {
  it('takes a form-encoded FMS request, answers a service_request_id and the stack delivers it', async () => {
    const before = h.streets.state.reports.size;
    const res = await o311('POST', 'requests.xml', {
      form: pothole({
        'attribute[fixmystreet_id]': '4101',
        'attribute[easting]': '545125',
        'attribute[northing]': '258250',
        media_url: 'https://photos.example.org/4101.jpg',
      }),
    });
    expect(res.status).toBe(200);
    const [request] = items(res.xml, 'service_requests', 'request');
    const id = request.service_request_id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const view = await fetch(`${h.url}/v1/transactions/${id}`, { headers: { authorization: `Bearer ${readKey}` } });
    expect(view.status).toBe(200);
    await waitFor(
      async () =>
        ((await (await fetch(`${h.url}/v1/transactions/${id}`, { headers: { authorization: `Bearer ${readKey}` } })).json()) as Doc)
          .state === 'delivered',
      'delivery',
    );
    expect(h.streets.state.reports.size).toBe(before + 1);
    expect([...h.streets.state.reports.values()].at(-1)).toEqual(
      expect.objectContaining({ kind: 'pothole', description: 'Deep pothole by the bus stop' }),
    );

    const stored = (await h.stack.get(id, { personalData: true }))!.transaction.envelope!;
    expect(stored).toEqual(
      expect.objectContaining({
        type: 'street.report',
        channel: 'open311',
        council: COUNCIL,
        lgsl: 557,
        idempotencykey: 'open311:fixmystreet:4101:POT',
      }),
    );
    expect(stored.data).toEqual({
      kind: 'pothole',
      serviceCode: 'POT',
      description: 'Deep pothole by the bus stop',
      location: { wgs84: { lat: 52.2053, lon: 0.1218 }, bng: { easting: 545125, northing: 258250 } },
      attributes: {
        depth: 'deep',
        fixmystreet_id: '4101',
        easting: 545125,
        northing: 258250,
        media_url: 'https://photos.example.org/4101.jpg',
      },
      requester: { person: { givenName: 'Alex', email: 'resident@example.com' } },
      externalRefs: [{ system: 'fixmystreet', reference: '4101' }],
    });
  });

  it('answers a retried POST with the same fixmystreet_id with the same id, and the back office gets it once', async () => {
    const before = h.streets.state.reports.size;
    const form = pothole({ 'attribute[fixmystreet_id]': '4102', description: 'Retried pothole' });
    const first = await post(form);
    const again = await post(form);
    expect(again).toBe(first);
    await delivered(first);
    // A retry whose text changed in between is still the same FMS report.
    expect(await post({ ...form, description: 'Retried pothole, edited' })).toBe(first);
    expect(h.streets.state.reports.size).toBe(before + 1);
    // FMS re-sends a report moved to another category with the same id: that is a new request.
    const moved = await post({
      api_key: submitKey,
      service_code: 'MISSED_REFUSE',
      'attribute[fixmystreet_id]': '4102',
      'attribute[uprn]': '100023336959',
      'attribute[collection_date]': '2026-11-17',
    });
    expect(moved).not.toBe(first);
  });

  it('answers the same form without a fixmystreet_id with the same id (a hash of the form), and a different form with a new one', async () => {
    const form = pothole({ description: 'No FMS id here' });
    const first = await post(form);
    expect(await post(form)).toBe(first);
    expect(await post({ ...form, description: 'No FMS id here, another one' })).not.toBe(first);
  });

  it('takes a missed bin collection, with the UPRN and date attributes mapped to canonical fields, in JSON', async () => {
    const res = await o311('POST', 'requests.json', {
      form: {
        api_key: submitKey,
        service_code: 'MISSED_REFUSE',
        'attribute[uprn]': '100023336956',
        'attribute[collection_date]': '2026-11-20T07:00:00Z',
        description: 'Bin not emptied',
      },
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual([{ service_request_id: expect.any(String), service_notice: '', account_id: '' }]);
    const id = res.json[0].service_request_id as string;
    await delivered(id);
    expect((await h.stack.get(id, { personalData: true }))!.transaction.envelope!.data).toEqual({
      uprn: '100023336956',
      service: 'refuse',
      serviceCode: 'MISSED_REFUSE',
      scheduledDate: '2026-11-20',
      notes: 'Bin not emptied',
    });
    expect([...h.waste.state.cases.values()].some((c) => (c as Doc).uprn === '100023336956')).toBe(true);
  });

  it('takes a container request: fixed values from the service, answers into nested and numeric fields', async () => {
    const res = await o311('POST', 'requests.xml', {
      form: {
        api_key: submitKey,
        service_code: 'BIN_DAMAGED',
        'attribute[uprn]': '100023336957',
        'attribute[bins]': '2',
        'attribute[size]': '240',
        description: 'Lid snapped off',
      },
    });
    expect(res.status).toBe(200);
    // A batch service answers with a token, not a service_request_id; tokens/{token} resolves it.
    const [answer] = items(res.xml, 'service_requests', 'request');
    expect(answer.service_request_id).toBeUndefined();
    expect(answer).toEqual({ token: expect.any(String), service_notice: '', account_id: '' });
    const resolved = items((await o311('GET', `tokens/${answer.token as string}.xml`)).xml, 'service_requests', 'request')[0];
    expect(resolved.token).toBe(answer.token);
    const id = resolved.service_request_id as string;
    expect((await o311('GET', `tokens/${answer.token as string}.json`)).json).toEqual([{ service_request_id: id, token: answer.token }]);
    await delivered(id);
    expect((await h.stack.get(id, { personalData: true }))!.transaction.envelope!.data).toEqual({
      uprn: '100023336957',
      service: 'refuse',
      container: { type: 'wheelie_bin', sizeLitres: 240 },
      reason: 'damaged',
      quantity: 2,
      notes: 'Lid snapped off',
    });
    const listed = items((await o311('GET', `requests/${id}.xml`)).xml, 'service_requests', 'request')[0];
    expect(listed.service_code).toBe('BIN_DAMAGED');
    // The canonical schema still rules: at most 5 containers, named by the attribute that carried it.
    const tooMany = await o311('POST', 'requests.xml', {
      form: { api_key: submitKey, service_code: 'BIN_DAMAGED', 'attribute[uprn]': '100023336957', 'attribute[bins]': '9' },
    });
    expect(tooMany.status).toBe(400);
    expect(items(tooMany.xml, 'errors', 'error')[0].description).toContain('attribute[bins]');
  });

  it('takes multipart/form-data text fields and ignores a file part', async () => {
    const boundary = '----lgx-test-boundary-7MA4YWxk';
    const part = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const body = Buffer.concat([
      Buffer.from(
        part('api_key', submitKey) +
          part('service_code', 'POT') +
          part('lat', '52.2') +
          part('long', '0.12') +
          part('description', 'Multipart pothole – café corner') +
          part('attribute[depth]', 'shallow') +
          part('attribute[fixmystreet_id]', '4103') +
          `--${boundary}\r\nContent-Disposition: form-data; name="photo1"; filename="photo.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
      ),
      Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46]),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await o311('POST', 'requests.xml', { raw: body, type: `multipart/form-data; boundary=${boundary}` });
    expect(res.status).toBe(200);
    const id = items(res.xml, 'service_requests', 'request')[0].service_request_id as string;
    const data = (await h.stack.get(id, { personalData: true }))!.transaction.envelope!.data as Doc;
    expect(data.description).toBe('Multipart pothole – café corner');
    expect(data.attributes).toEqual({ depth: 'shallow', fixmystreet_id: '4103' });
    expect(JSON.stringify(data)).not.toContain('photo');
  });

  it('refuses requests in the spec error format: key, service, attributes, location, content type', async () => {
    const { api_key: _omit, ...noKey } = pothole();
    expectOpen311Error(await o311('POST', 'requests.xml', { form: noKey }), 403, /api_key/);
    golden('error-403.xml', (await o311('POST', 'requests.xml', { form: noKey })).text);
    expectOpen311Error(await o311('POST', 'requests.xml', { form: pothole({ api_key: `${submitKey.slice(0, -4)}AAAA` }) }), 403, /api_key/);
    expectOpen311Error(await o311('POST', 'requests.xml', { form: pothole({ api_key: readKey }) }), 403, /api_key/);
    expectOpen311Error(await o311('POST', 'requests.xml', { form: pothole({ service_code: 'NOPE' }) }), 404, /service_code is not known/);
    const { service_code: _code, ...noCode } = pothole();
    expectOpen311Error(await o311('POST', 'requests.xml', { form: noCode }), 400, /service_code is required/);
    const { 'attribute[depth]': _depth, ...noDepth } = pothole();
    expectOpen311Error(await o311('POST', 'requests.xml', { form: noDepth }), 400, /attribute\[depth\] is required/);
    expectOpen311Error(
      await o311('POST', 'requests.xml', { form: pothole({ 'attribute[depth]': 'bottomless' }) }),
      400,
      /attribute\[depth\] must be one of/,
    );
    const { lat: _lat, long: _long, ...nowhere } = pothole();
    expectOpen311Error(
      await o311('POST', 'requests.xml', { form: { ...nowhere, address_string: '12 Mill Road, Cambridge' } }),
      400,
      /location is required/,
    );
    expectOpen311Error(await o311('POST', 'requests.xml', { form: pothole({ lat: 'north' }) }), 400, /lat must be a number/);
    // What the canonical schema refuses is named by the Open311 field the client sent.
    expectOpen311Error(
      await o311('POST', 'requests.xml', { form: pothole({ lat: '91' }) }),
      400,
      /^the request is not valid: lat must be <= 90 \(\/data\/location\/wgs84\/lat\)$/,
    );
    expectOpen311Error(
      await o311('POST', 'requests.xml', { form: pothole({ email: 'not-an-email' }) }),
      400,
      /^the request is not valid: email .*\(\/data\/requester\/person\/email\)$/,
    );
    expectOpen311Error(
      await o311('POST', 'requests.xml', {
        form: { api_key: submitKey, service_code: 'MISSED_REFUSE', 'attribute[collection_date]': '2026-11-20' },
      }),
      400,
      /attribute\[uprn\] .*\(\/data\/uprn\)/,
    );
    expectOpen311Error(await o311('POST', 'requests.xml', { form: pothole(), type: 'application/json' }), 415, /x-www-form-urlencoded/);
    expectOpen311Error(
      await o311('POST', 'requests.xml', { form: pothole({ jurisdiction_id: 'elsewhere.gov.uk' }) }),
      404,
      /jurisdiction_id/,
    );
    const json = await o311('POST', 'requests.json', { form: noKey });
    expect([json.status, json.json]).toEqual([403, [{ code: 403, description: expect.stringMatching(/api_key/) }]]);
  });

  it("refuses another council's key with 403 and stores nothing", async () => {
    const before = (await h.stack.list({ limit: 1000 })).length;
    expectOpen311Error(await o311('POST', 'requests.xml', { form: pothole({ api_key: otherKey }) }), 403, /api_key/);
    expect((await h.stack.list({ limit: 1000 })).length).toBe(before);
  });

  it('answers an oversized body with 413 in the Open311 XML error format', async () => {
    const res = await o311('POST', 'requests.xml', { form: pothole({ description: 'x'.repeat(70 * 1024) }) });
    expectOpen311Error(res, 413, /larger than the limit/);
  });
});

describe('hostile input', () => {
  it('escapes markup and CDATA ends in what it serves, and it parses back equal', async () => {
    const description = 'Hole <script>alert("x")</script> & ]]> it\'s deep';
    const id = await post(pothole({ description }));
    const res = await o311('GET', `requests/${id}.xml`, { query: { api_key: readKey } });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('<script>');
    expect(res.text).not.toContain(']]>');
    expect(res.text).toContain('&lt;script&gt;');
    expect(items(res.xml, 'service_requests', 'request')[0].description).toBe(description);
    expect((await o311('GET', `requests/${id}.json`, { query: { api_key: readKey } })).json[0].description).toBe(description);
  });

  it('does not let attribute[__proto__] pollute objects or become an attribute', async () => {
    const id = await post(pothole({ 'attribute[__proto__]': 'x', 'attribute[fixmystreet_id]': '4104' }));
    const data = (await h.stack.get(id, { personalData: true }))!.transaction.envelope!.data as Doc;
    expect(Object.keys(data.attributes).sort()).toEqual(['depth', 'fixmystreet_id']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(Object.getPrototypeOf(data.attributes)).toBe(Object.prototype);
    // Other prototype names are refused by the canonical schema, in the spec's error format.
    expectOpen311Error(
      await o311('POST', 'requests.xml', { form: pothole({ 'attribute[constructor]': 'y' }) }),
      400,
      /attributes\/constructor/,
    );
    expect(({} as Record<string, unknown>).y).toBeUndefined();
  });

  it('treats XML in form fields as text', async () => {
    const description = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r>&e;</r>';
    const id = await post(pothole({ description }));
    const res = await o311('GET', `requests/${id}.xml`, { query: { api_key: readKey } });
    expect(res.text).not.toContain('root:');
    expect(items(res.xml, 'service_requests', 'request')[0].description).toBe(description);
  });
});

describe('GET requests and tokens', () => {
  let a: string;
  let b: string;
  let other: string;

  beforeAll(async () => {
    a = await post(
      pothole({
        description: 'Listed pothole A',
        address_string: 'Outside 12 Mill Road',
        address_id: '100023336956',
        'attribute[fixmystreet_id]': '4201',
      }),
    );
    b = await post(pothole({ description: 'Listed pothole B', 'attribute[fixmystreet_id]': '4202' }));
    // Another council's transaction, never visible through this facade.
    other = (
      await h.other.submit(
        createTransaction('street.report', { kind: 'pothole', description: 'elsewhere', location: { usrn: '8400709' } } as never, {
          council: OTHER_COUNCIL,
        }),
      )
    ).id;
  });

  it('answers requests/{id} and a comma list of ids, without text fields when no key is given', async () => {
    const one = await o311('GET', `requests/${a}.xml`);
    expect(one.status).toBe(200);
    const [request] = items(one.xml, 'service_requests', 'request');
    expect(request).toEqual(
      expect.objectContaining({
        service_request_id: a,
        status: 'open',
        service_name: 'Pothole',
        service_code: 'POT',
        lat: '52.2053',
        long: '0.1218',
        requested_datetime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
      }),
    );
    // Every field the spec lists is there; the texts people wrote are empty without a personal-data key.
    for (const field of [
      'description',
      'address',
      'address_id',
      'status_notes',
      'agency_responsible',
      'service_notice',
      'expected_datetime',
      'zipcode',
      'media_url',
    ])
      expect(request[field]).toBe('');
    expect(one.text).toContain('<agency_responsible></agency_responsible>');
    const json = await o311('GET', `requests/${a}.json`);
    expect(Object.keys(json.json[0]).sort()).toEqual(
      [
        'service_request_id',
        'status',
        'status_notes',
        'service_name',
        'service_code',
        'description',
        'agency_responsible',
        'service_notice',
        'requested_datetime',
        'updated_datetime',
        'expected_datetime',
        'address',
        'address_id',
        'zipcode',
        'lat',
        'long',
        'media_url',
      ].sort(),
    );

    const list = await o311('GET', 'requests.xml', { query: { service_request_id: `${a},${b},${other},not-an-id` } });
    expect(items(list.xml, 'service_requests', 'request').map((r: Doc) => r.service_request_id)).toEqual([a, b]);
    // A repeated parameter is read as the comma list.
    const repeated = await o311('GET', `requests.xml?service_request_id=${a}&service_request_id=${b}&status=open&status=closed`);
    expect(items(repeated.xml, 'service_requests', 'request').map((r: Doc) => r.service_request_id)).toEqual([a, b]);
  });

  it('shows description and address with a read key, and never email, name or phone', async () => {
    for (const format of ['xml', 'json'] as const) {
      const res = await o311('GET', `requests/${a}.${format}`, { query: { api_key: readKey } });
      const request = format === 'xml' ? items(res.xml, 'service_requests', 'request')[0] : res.json[0];
      expect(request.description).toBe('Listed pothole A');
      expect(request.address).toBe('Outside 12 Mill Road');
      expect(request.address_id).toBe('100023336956');
      expect(res.text).not.toMatch(/resident@example\.com|Alex|first_name|email|phone/);
    }
    // Another council's key is no read key here.
    const res = await o311('GET', `requests/${a}.xml`, { query: { api_key: otherKey } });
    expect(items(res.xml, 'service_requests', 'request')[0].description).toBe('');
  });

  it('filters by service_code, dates and status', async () => {
    const ids = async (query: Record<string, string>) =>
      items((await o311('GET', 'requests.xml', { query })).xml, 'service_requests', 'request').map(
        (r: Doc) => r.service_request_id as string,
      );
    const recent = await ids({ service_code: 'POT' });
    expect(recent).toEqual(expect.arrayContaining([a, b]));
    expect(recent).not.toContain(other);
    expect(await ids({ service_code: 'MISSED_REFUSE' })).not.toContain(a);
    expect(await ids({ start_date: new Date(Date.now() + 3_600_000).toISOString() })).toEqual([]);
    expect(await ids({ start_date: '2020-01-01T00:00:00Z', end_date: '2020-02-01T00:00:00Z' })).toEqual([]);
    expect(await ids({ start_date: new Date(Date.now() - 3_600_000).toISOString(), status: 'open' })).toEqual(
      expect.arrayContaining([a, b]),
    );
    expect(await ids({ status: 'closed' })).not.toContain(a);
    expectOpen311Error(await o311('GET', 'requests.xml', { query: { start_date: 'yesterday' } }), 400, /start_date/);
  });

  it('answers 404 for an unknown id and for another council’s request', async () => {
    expectOpen311Error(await o311('GET', 'requests/no-such-request.xml'), 404, /service_request_id/);
    expectOpen311Error(await o311('GET', `requests/${other}.xml`), 404, /service_request_id/);
    expectOpen311Error(await o311('GET', 'tokens/no-such-token.xml'), 404, /token/);
  });

  it('answers tokens/{id} with the service_request_id', async () => {
    const res = await o311('GET', `tokens/${a}.xml`);
    expect(items(res.xml, 'service_requests', 'request')).toEqual([{ service_request_id: a, token: a }]);
  });
});

describe('servicerequestupdates', () => {
  it('lists an update made by the back office (polled from Example Waste) with its extended status', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const res = await o311('POST', 'requests.xml', {
      form: {
        api_key: submitKey,
        service_code: 'MISSED_REFUSE',
        'attribute[uprn]': '100023336957',
        'attribute[collection_date]': '2026-11-19',
      },
    });
    const id = items(res.xml, 'service_requests', 'request')[0].service_request_id as string;
    await delivered(id);
    const ref = (await h.stack.get(id))!.deliveries[0]!.receipt!.externalRef;
    progressCase(h.waste, ref, 'scheduled', 'Crew booked for Thursday');
    await h.stack.polling.pollOnce();

    const updates = await o311('GET', 'servicerequestupdates.xml', {
      query: { start_date: since, end_date: new Date(Date.now() + 60_000).toISOString(), api_key: submitKey },
    });
    expect(updates.status).toBe(200);
    const mine = items(updates.xml, 'service_request_updates', 'request_update').filter((u: Doc) => u.service_request_id === id);
    expect(mine.map((u: Doc) => [u.status, u.external_status_code])).toEqual([
      ['open', 'logged'],
      ['action_scheduled', 'scheduled'],
    ]);
    expect(mine[1].description).toBe('Crew booked for Thursday');
    expect(mine.every((u: Doc) => /^\d+$/.test(u.update_id) && !Number.isNaN(Date.parse(u.updated_datetime)))).toBe(true);

    // Without a key the officer's text is left out; the status stays.
    const anonymous = items(
      (await o311('GET', 'servicerequestupdates.xml', { query: { start_date: since } })).xml,
      'service_request_updates',
      'request_update',
    ).filter((u: Doc) => u.service_request_id === id);
    expect(anonymous.map((u: Doc) => [u.status, u.description])).toEqual([
      ['open', ''],
      ['action_scheduled', ''],
    ]);
    // GET requests shows the base status: action_scheduled is still open, completed is closed.
    expect(items((await o311('GET', `requests/${id}.xml`, { query: { api_key: readKey } })).xml, 'service_requests', 'request')[0]).toEqual(
      expect.objectContaining({ status: 'open', status_notes: 'Crew booked for Thursday' }),
    );
    progressCase(h.waste, ref, 'completed');
    await h.stack.polling.pollOnce();
    expect(items((await o311('GET', `requests/${id}.xml`)).xml, 'service_requests', 'request')[0].status).toBe('closed');
    expect(
      items(
        (await o311('GET', 'requests.xml', { query: { service_request_id: id, status: 'closed' } })).xml,
        'service_requests',
        'request',
      ),
    ).toHaveLength(1);
  });

  it('takes a POSTed update with an UPPER-case extended status, once per update_id, and lists it', async () => {
    const id = await post(pothole({ 'attribute[fixmystreet_id]': '4301' }));
    // The stack's status subscribers (and so its webhooks) hear of a posted update as of any other.
    const heard: Array<[number, string, string]> = [];
    const stopHearing = h.stack.onStatusUpdate((u) => heard.push([u.id, u.target, u.update.status]));
    const form = {
      api_key: submitKey,
      service_request_id: id,
      update_id: 'fms-9001',
      status: 'INVESTIGATING',
      updated_datetime: new Date().toISOString(),
      description: 'Inspector visiting',
    };
    const res = await o311('POST', 'servicerequestupdates.xml', { form });
    expect(res.status).toBe(200);
    const [ack] = items(res.xml, 'service_request_updates', 'request_update');
    expect(ack.update_id).toMatch(/^\d+$/);
    // The same update again (a retry) is the same update.
    const again = items((await o311('POST', 'servicerequestupdates.xml', { form })).xml, 'service_request_updates', 'request_update')[0];
    expect(again.update_id).toBe(ack.update_id);
    expect(heard).toEqual([[Number(ack.update_id), 'open311-client', 'investigating']]);
    stopHearing();

    const listed = items(
      (await o311('GET', 'servicerequestupdates.xml', { query: { api_key: readKey } })).xml,
      'service_request_updates',
      'request_update',
    ).filter((u: Doc) => u.service_request_id === id);
    expect(listed).toEqual([
      expect.objectContaining({ update_id: ack.update_id, status: 'investigating', description: 'Inspector visiting' }),
    ]);
    const json = (await o311('GET', 'servicerequestupdates.json', { query: { api_key: readKey } })).json.filter(
      (u: Doc) => u.service_request_id === id,
    );
    expect(json).toEqual([
      {
        update_id: ack.update_id,
        service_request_id: id,
        status: 'investigating',
        updated_datetime: form.updated_datetime,
        description: 'Inspector visiting',
        external_status_code: '',
        media_url: '',
      },
    ]);

    const closing = await o311('POST', 'servicerequestupdates.json', {
      form: { ...form, update_id: 'fms-9002', status: 'FIXED', description: 'Filled' },
    });
    expect(closing.json).toEqual([{ update_id: expect.stringMatching(/^\d+$/) }]);
    expect((await o311('GET', `requests/${id}.json`)).json[0].status).toBe('closed');
  });

  it('refuses a bad update in the spec error format', async () => {
    const id = await post(pothole({ 'attribute[fixmystreet_id]': '4302' }));
    const form = {
      api_key: submitKey,
      service_request_id: id,
      update_id: 'fms-9101',
      status: 'FIXED',
      updated_datetime: new Date().toISOString(),
      description: 'x',
    };
    expectOpen311Error(await o311('POST', 'servicerequestupdates.xml', { form: { ...form, api_key: '' } }), 403, /api_key/);
    expectOpen311Error(
      await o311('POST', 'servicerequestupdates.xml', { form: { ...form, service_request_id: 'nope' } }),
      404,
      /service_request_id/,
    );
    expectOpen311Error(await o311('POST', 'servicerequestupdates.xml', { form: { ...form, status: 'EXPLODED' } }), 400, /status/);
    expectOpen311Error(
      await o311('POST', 'servicerequestupdates.xml', { form: { ...form, updated_datetime: 'soon' } }),
      400,
      /updated_datetime/,
    );
    const { update_id: _u, ...noUpdateId } = form;
    expectOpen311Error(await o311('POST', 'servicerequestupdates.xml', { form: noUpdateId }), 400, /update_id is required/);
    expectOpen311Error(await o311('POST', 'servicerequestupdates.xml', { form: { ...form, api_key: otherKey } }), 403, /api_key/);
  });
});

describe('the Open311 adapter against the facade (LGX speaking Open311 to LGX)', () => {
  const report = {
    kind: 'pothole',
    serviceCode: 'POT',
    title: 'Pothole on Mill Road',
    description: 'Sent by LGX through Open311',
    location: { wgs84: { lat: 52.2, lon: 0.13 }, uprn: '100023336956' },
    attributes: { depth: 'shallow' },
    requester: { person: { givenName: 'Sam', email: 'sam@example.com' } },
  };

  it('submits through the adapter, reads the status and polls servicerequestupdates', async () => {
    const { instance } = await instantiateAdapter(
      open311Adapter,
      { baseUrl: `${h.url}/open311/v2`, apiKey: submitKey, jurisdictionId: 'example.gov.uk' },
      { retry: false },
    );
    const signal = () => AbortSignal.timeout(10_000);
    expect(await instance.check!({ signal: signal() })).toEqual(expect.objectContaining({ ok: true, details: { services: 3 } }));

    const tx = createTransaction('street.report', report as never, { council: 'E06000014', idempotencyKey: 'lgx-to-lgx-1' });
    const receipt = await instance.submit!(tx, { signal: signal() });
    const arrived = await h.stack.get(receipt.externalRef, { personalData: true });
    expect(arrived?.transaction.envelope).toEqual(expect.objectContaining({ type: 'street.report', channel: 'open311', council: COUNCIL }));
    expect(arrived!.transaction.envelope!.data).toEqual(
      expect.objectContaining({
        kind: 'pothole',
        serviceCode: 'POT',
        description: 'Sent by LGX through Open311',
        location: expect.objectContaining({ wgs84: { lat: 52.2, lon: 0.13 }, uprn: '100023336956' }),
      }),
    );
    expect((arrived!.transaction.envelope!.data as Doc).attributes).toEqual(
      expect.objectContaining({ depth: 'shallow', lgx_idempotency_key: 'lgx-to-lgx-1' }),
    );
    // The same transaction again (a runtime retry) is the same service request.
    expect((await instance.submit!(tx, { signal: signal() })).externalRef).toBe(receipt.externalRef);

    expect(await instance.getStatus!(receipt.externalRef, { signal: signal() })).toEqual(
      expect.objectContaining({ externalRef: receipt.externalRef, status: 'open' }),
    );

    const form = {
      api_key: submitKey,
      service_request_id: receipt.externalRef,
      update_id: 'lgx-u-1',
      status: 'ACTION_SCHEDULED',
      updated_datetime: new Date().toISOString(),
      description: 'Gang booked',
    };
    expect((await o311('POST', 'servicerequestupdates.xml', { form })).status).toBe(200);
    const polled = await instance.pollUpdates!(undefined, { signal: signal() });
    expect(polled.updates.filter((u) => u.externalRef === receipt.externalRef)).toEqual([
      expect.objectContaining({ status: 'action_scheduled', description: 'Gang booked' }),
    ]);
    // The cursor moves on: the same update is not reported twice.
    expect(
      (await instance.pollUpdates!(polled.cursor, { signal: signal() })).updates.filter((u) => u.externalRef === receipt.externalRef),
    ).toEqual([]);

    await o311('POST', 'servicerequestupdates.xml', { form: { ...form, update_id: 'lgx-u-2', status: 'FIXED', description: 'Filled in' } });
    // GET requests gives the base status; the adapter sends its api_key, so it also sees the status notes.
    const closed = await instance.getStatus!(receipt.externalRef, { signal: signal() });
    expect(closed).toEqual(expect.objectContaining({ status: 'closed', externalStatusCode: 'closed', description: 'Filled in' }));
    await instance.close?.();
  });

  it('is a delivery target of a stack: a transaction routed to @lgx/adapter-open311 arrives through the facade and reaches the back office', async () => {
    const dir = mkdtempSync(path.join(__dirname, '.tmp-sender-'));
    const definition = await createStack(
      {
        council: 'E06000014',
        adapters: {
          highways: {
            package: '@lgx/adapter-open311',
            config: { baseUrl: `${h.url}/open311/v2`, apiKey: '${env:HIGHWAYS_OPEN311_KEY}', jurisdictionId: 'example.gov.uk' },
          },
        },
        routes: [{ match: { type: 'street.report' }, mode: 'one', targets: ['highways'] }],
      },
      { env: { HIGHWAYS_OPEN311_KEY: submitKey } },
    );
    const sender = await openStack(definition, {
      store: createSqliteStore({ file: path.join(dir, 'sender.db') }),
      resolveFrom: path.join(__dirname, '..'),
      polling: false,
      worker: { pollIntervalMs: 20, retry: { baseDelayMs: 10, maxDelayMs: 50, maxAttempts: 3 }, random: () => 1 },
    });
    try {
      const { id } = await sender.submit(
        createTransaction('street.report', { ...report, description: 'Routed through a stack' } as never, {
          council: 'E06000014',
          idempotencyKey: 'lgx-to-lgx-2',
        }),
      );
      await waitFor(
        async () => (await sender.get(id))?.deliveries.every((d) => d.state === 'delivered') === true,
        'delivery to the facade',
      );
      const ref = (await sender.get(id))!.deliveries[0]!.receipt!.externalRef;
      await delivered(ref);
      expect([...h.streets.state.reports.values()].filter((r) => r.description === 'Routed through a stack')).toEqual([
        expect.objectContaining({ kind: 'pothole' }),
      ]);
    } finally {
      await sender.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a stack without a jurisdiction', () => {
  it('accepts whatever jurisdiction_id a client sends (FMS always sends one)', async () => {
    const dir = mkdtempSync(path.join(__dirname, '.tmp-nojur-'));
    const { jurisdiction: _j, ...open311 } = OPEN311_SERVICES;
    const definition = await createStack({
      council: COUNCIL,
      adapters: { waste: { package: '@lgx/adapter-template', config: { baseUrl: h.waste.url, apiKey: WASTE_KEY } } },
      routes: [{ match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['waste'] }],
      open311,
    });
    const service = await startService(definition, {
      dataDir: dir,
      resolveFrom: path.join(__dirname, '..'),
      worker: { pollIntervalMs: 20 },
      polling: false,
      retention: false,
    });
    const { url } = service;
    const key = (await createApiKey(service.keys, { council: COUNCIL })).key;
    try {
      const services = await fetch(`${url}/open311/v2/services.xml?jurisdiction_id=fixmystreet`);
      expect(services.status).toBe(200);
      const posted = await fetch(`${url}/open311/v2/requests.xml`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          api_key: key,
          jurisdiction_id: 'fixmystreet',
          service_code: 'MISSED_REFUSE',
          'attribute[uprn]': '100023336958',
          'attribute[collection_date]': '2026-11-18',
        }).toString(),
      });
      expect(posted.status).toBe(200);
    } finally {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
