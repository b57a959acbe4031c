import { createTransaction } from '@lgx/core';
import { instantiateAdapter } from '@lgx/core/host';
import { createMemoryLogger, loadFixtures } from '@lgx/testkit';
import { setOpen311Status, startOpen311Simulator, type Open311Simulator } from '../src/testing';
import adapter, { listOpen311Services } from '../src';

let sim: Open311Simulator;
beforeAll(async () => {
  sim = await startOpen311Simulator();
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.reset();
  sim.setTokenMode(null);
});

const signal = () => AbortSignal.timeout(5000);
const fixture = (type: string, name: string) => loadFixtures(type, { kind: 'valid' }).find((f) => f.name === name)!.data;

async function instance(config: Record<string, unknown> = {}, mappings: Record<string, Record<string, string>> = {}) {
  return (await instantiateAdapter(adapter, { baseUrl: sim.endpoint, apiKey: sim.apiKey, ...config }, { mappings, retry: false })).instance;
}

function posted(index = 0) {
  const post = sim.requests.filter((r) => r.method === 'POST')[index]!;
  return { path: post.path, contentType: post.headers['content-type'], form: new URLSearchParams(post.body) };
}

function street(name = 'pothole-with-coordinates', key?: string) {
  return createTransaction('street.report', fixture('street.report', name) as never, {
    council: 'E07000223',
    ...(key ? { idempotencyKey: key } : {}),
  });
}

describe('submitting', () => {
  it('posts a street report as a form-encoded GeoReport v2 request and returns the service_request_id', async () => {
    const a = await instance();
    const receipt = await a.submit!(street('pothole-with-coordinates', 'form-42'), { signal: signal() });
    expect(receipt).toMatchObject({ externalRef: '1001', status: 'open' });
    const { path, contentType, form } = posted();
    expect(path).toBe('/open311/v2/requests.xml');
    expect(contentType).toMatch(/application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(form)).toEqual({
      api_key: sim.apiKey,
      service_code: 'HW-POT',
      description: 'A pothole about 30cm across and 10cm deep in the nearside lane, just before the bus stop.',
      lat: '52.2053',
      long: '0.1218',
      email: 'alex.example@example.com',
      first_name: 'Alex',
      last_name: 'Example',
      media_url: 'https://media.example.org/reports/4512/pothole.jpg',
      'attribute[easting]': '545125',
      'attribute[northing]': '258250',
      'attribute[usrn]': '8400709',
      'attribute[location_description]': 'Nearside lane, 20m before the bus stop',
      'attribute[title]': 'Deep pothole by the bus stop',
      'attribute[hazard]': 'true',
      'attribute[fixmystreet_id]': '4512',
      'attribute[depthCm]': '10',
      'attribute[onBusRoute]': 'true',
      'attribute[lgx_idempotency_key]': 'form-42',
    });
    expect(sim.state.requests.get('1001')).toMatchObject({ service_code: 'HW-POT', lat: '52.2053' });
  });

  it('sends an address as address_string, a list answer as repeated attribute[code][], and skips inline photos', async () => {
    const a = await instance();
    await a.submit!(street('fly-tipping-at-address'), { signal: signal() });
    const { form } = posted();
    expect(form.get('address_string')).toBe('12-18 Mill Road, Cambridge, CB1 2AD');
    expect(form.getAll('attribute[itemTypes][]')).toEqual(['mattress', 'white_goods']);
    expect(form.has('media_url')).toBe(false);
    expect(sim.state.requests.get('1001')!.attributes.itemTypes).toEqual(['mattress', 'white_goods']);
  });

  it('locates a report that has only a USRN by its directions, and carries the asset', async () => {
    const a = await instance();
    await a.submit!(street('street-light-by-asset'), { signal: signal() });
    const { form } = posted();
    expect(form.get('service_code')).toBe('street_light');
    expect(form.get('address_string')).toBe('Outside number 14');
    expect(form.get('attribute[usrn]')).toBe('8400709');
    expect(form.get('attribute[asset_id]')).toBe('SL-0412');
  });

  it('sends a missed collection by UPRN (address_id) with the collection details as attributes', async () => {
    const a = await instance();
    const tx = createTransaction('waste.missedCollection', fixture('waste.missedCollection', 'recycling-bin-out-not-emptied') as never, {
      council: 'E07000223',
    });
    await expect(a.submit!(tx, { signal: signal() })).resolves.toMatchObject({ externalRef: '1001' });
    const { form } = posted();
    expect(form.get('service_code')).toBe('missed_recycling');
    expect(form.get('address_id')).toBe('100090215480');
    expect(form.get('attribute[uprn]')).toBe('100090215480');
    expect(form.get('attribute[collection_date]')).toBe('2026-11-17');
    expect(form.get('attribute[container_type]')).toBe('wheelie_bin');
    expect(form.get('attribute[container_presented]')).toBe('true');
    expect(form.get('description')).toBe(
      'Missed recycling collection on 2026-11-17. The container was not emptied. Bin was out by 6am, every other bin in the street was emptied.',
    );
    expect(form.get('attribute[lgx_idempotency_key]')).toBe(tx.idempotencykey ?? tx.id);
  });

  it("takes service codes from the stack's `service` table first, then config serviceCodes, then the canonical name", async () => {
    const a = await instance(
      { serviceCodes: { 'waste.missedCollection:garden': 'GDN-MISS', graffiti: 'X' } },
      { service: { 'waste.missedCollection:garden': 'missed_garden' } },
    );
    const garden = createTransaction(
      'waste.missedCollection',
      fixture('waste.missedCollection', 'garden-bin-contaminated-with-soil') as never,
      { council: 'E07000223' },
    );
    await a.submit!(garden, { signal: signal() });
    expect(posted().form.get('service_code')).toBe('missed_garden');
    const b = await instance({ serviceCodes: { 'street.report:street_light': 'pothole' } });
    await b.submit!(street('street-light-by-asset'), { signal: signal() });
    expect(posted(1).form.get('service_code')).toBe('pothole');
  });

  it('answers the same transaction twice with one service request (the simulator de-duplicates on the key attribute)', async () => {
    const a = await instance();
    const tx = street('pothole-with-coordinates', 'same-key');
    const first = await a.submit!(tx, { signal: signal() });
    const second = await a.submit!(structuredClone(tx), { signal: signal() });
    expect(second.externalRef).toBe(first.externalRef);
    expect(sim.state.requests.size).toBe(1);
  });

  it('encodes the form as the spec says: spaces, symbols, non-ASCII and broken UTF-16 included', async () => {
    const a = await instance();
    const description = 'Fish & chips = £5; 100% "hot" + a/b?c#d \ud83d\ude00 broken: \ud800!';
    await a.submit!(
      createTransaction('street.report', { ...(fixture('street.report', 'pothole-with-coordinates') as object), description } as never, {
        council: 'E07000223',
      }),
      { signal: signal() },
    );
    expect(posted().form.get('description')).toBe('Fish & chips = £5; 100% "hot" + a/b?c#d \ud83d\ude00 broken: \ufffd!');
  });

  it('sends every photo URL with mediaUrls: all, and no address_id when sendAddressId is false', async () => {
    const a = await instance({ mediaUrls: 'all', sendAddressId: false });
    const data = structuredClone(fixture('street.report', 'pothole-with-coordinates')) as {
      media: Array<Record<string, unknown>>;
      location: Record<string, unknown>;
    };
    data.media.push({ filename: 'b.jpg', contentType: 'image/jpeg', size: 10, url: 'https://media.example.org/b.jpg' });
    data.location = { uprn: '100090215480' };
    await a.submit!(createTransaction('street.report', data as never, { council: 'E07000223' }), { signal: signal() });
    const { form } = posted();
    expect(form.getAll('media_url')).toEqual(['https://media.example.org/reports/4512/pothole.jpg', 'https://media.example.org/b.jpg']);
    expect(form.has('address_id')).toBe(false);
    expect(form.get('address_string')).toBe('UPRN 100090215480');
    expect(form.get('attribute[uprn]')).toBe('100090215480');
  });

  it('sends jurisdiction_id when configured, and can leave out the idempotency attribute', async () => {
    const a = await instance({ jurisdictionId: 'council.example', idempotencyAttribute: '' });
    await a.submit!(street(), { signal: signal() });
    const { form } = posted();
    expect(form.get('jurisdiction_id')).toBe('council.example');
    expect([...form.keys()].some((k) => k.includes('lgx_idempotency_key'))).toBe(false);
  });

  it.each(['xml', 'json'] as const)('follows a token (%s) to its service_request_id without posting again', async (format) => {
    sim.setTokenMode({ resolveAfterPolls: 2 });
    const a = await instance({ format });
    const tx = street('pothole-with-coordinates', `token-${format}`);
    const pending = await a.submit!(tx, { signal: signal() }).catch((e: unknown) => e);
    expect(pending).toMatchObject({ classification: 'retryable', message: expect.stringContaining('token') });
    const receipt = await a.submit!(structuredClone(tx), { signal: signal(), attempt: 2 });
    expect(receipt.externalRef).toBe('1001');
    expect(sim.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(sim.requests.filter((r) => r.path.startsWith('/open311/v2/tokens/')).map((r) => r.path.endsWith(`.${format}`))).toEqual([
      true,
      true,
    ]);
  });

  it('refuses oversized, wrongly typed and prototype-polluting input before any network call', async () => {
    const a = await instance();
    const base = fixture('street.report', 'pothole-with-coordinates') as Record<string, unknown>;
    const hostile = [
      { ...base, description: 'x'.repeat(4001) },
      { ...base, hazard: 'yes' },
      { ...base, attributes: JSON.parse('{"__proto__": {"polluted": true}}') },
      { ...base, location: { wgs84: { lat: '52.2', lon: 0.1 } } },
    ];
    for (const data of hostile) {
      const tx = createTransaction('street.report', data as never, { council: 'E07000223', validate: false });
      await expect(a.submit!(tx, { signal: signal() })).rejects.toMatchObject({ code: 'LGX_ERR_VALIDATION_INVALID' });
    }
    const other = createTransaction('waste.containerRequest', loadFixtures('waste.containerRequest', { kind: 'valid' })[0]!.data as never, {
      council: 'E07000223',
    });
    await expect(a.submit!(other as never, { signal: signal() })).rejects.toMatchObject({ classification: 'unsupported' });
    expect(sim.requests).toHaveLength(0);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('logging', () => {
  it('logs references and counts, never the api_key or what the reporter wrote (token path, skipped photos, failures)', async () => {
    const memory = createMemoryLogger('debug');
    const { instance: a } = await instantiateAdapter(
      adapter,
      { baseUrl: sim.endpoint, apiKey: sim.apiKey },
      { logger: memory.logger, rawLogger: true, retry: false },
    );
    sim.setTokenMode({ resolveAfterPolls: 1 });
    const data = {
      ...(fixture('street.report', 'fly-tipping-at-address') as object),
      requester: { person: { email: 'resident.person@example.com', phone: '07700 900999' } },
    };
    await a.submit!(createTransaction('street.report', data as never, { council: 'E07000223' }), { signal: signal() });
    sim.faults.failNext(1, { status: 400, body: '<errors><error><code>400</code><description>bad</description></error></errors>' });
    await a.submit!(street(), { signal: signal() }).catch(() => undefined);
    await a.pollUpdates!(undefined, { signal: signal() });
    const text = memory.text();
    expect(text).toContain('inline attachments not sent');
    expect(text).toContain('service request created');
    for (const secret of [sim.apiKey, 'resident.person@example.com', '07700 900999', 'Two mattresses', 'Mill Road'])
      expect(text).not.toContain(secret);
  });
});

describe('errors', () => {
  it('classifies the Open311 error documents: 400 permanent with the code, 403 auth, 404 on POST permanent, 429 rate limited, 5xx retryable', async () => {
    const a = await instance();
    sim.faults.failNext(1, {
      status: 400,
      body: '<?xml version="1.0"?><errors><error><code>ATTR_MISSING</code><description>attribute depth is required</description></error></errors>',
      headers: { 'content-type': 'text/xml' },
    });
    await expect(a.submit!(street(), { signal: signal() })).rejects.toMatchObject({
      classification: 'permanent',
      vendorCode: 'ATTR_MISSING',
      status: 400,
    });
    const wrongKey = await instance({ apiKey: 'not-the-key' });
    await expect(wrongKey.submit!(street(), { signal: signal() })).rejects.toMatchObject({
      classification: 'auth',
      status: 403,
      vendorCode: '403',
    });
    await expect(
      (await instance({ serviceCodes: { 'street.report:pothole': 'NO-SUCH' } })).submit!(
        createTransaction(
          'street.report',
          { ...(fixture('street.report', 'pothole-with-coordinates') as object), serviceCode: undefined } as never,
          { council: 'E07000223' },
        ),
        { signal: signal() },
      ),
    ).rejects.toMatchObject({ classification: 'permanent', status: 404 });
    sim.faults.failNext(1, { status: 429, headers: { 'retry-after': '30' } });
    await expect(a.submit!(street(), { signal: signal() })).rejects.toMatchObject({ classification: 'rateLimited', retryAfterMs: 30_000 });
    sim.faults.failNext(1, {
      status: 503,
      body: '[{"code":503,"description":"down for maintenance"}]',
      headers: { 'content-type': 'application/json' },
    });
    await expect(a.submit!(street(), { signal: signal() })).rejects.toMatchObject({ classification: 'retryable', vendorCode: '503' });
  });

  it('keeps the api_key out of error messages', async () => {
    const wrongKey = await instance({ apiKey: 'secret-key-that-is-wrong' });
    sim.faults.failNext(1, { status: 500, body: 'api_key=secret-key-that-is-wrong rejected' });
    const error = (await wrongKey.pollUpdates!(undefined, { signal: signal() }).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ classification: 'retryable' });
    expect(JSON.stringify({ message: error.message, ...(error as object) })).not.toContain('secret-key-that-is-wrong');
  });

  it('refuses an XML answer with a DOCTYPE or entity declaration without expanding it', async () => {
    const a = await instance();
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><service_requests><request><service_request_id>&lol2;</service_request_id></request></service_requests>';
    sim.faults.failNext(1, { malformed: true, body: bomb, contentType: 'text/xml' });
    await expect(a.submit!(street(), { signal: signal() })).rejects.toMatchObject({
      classification: 'permanent',
      code: 'LGX_ERR_SOAP_UNSAFE_XML',
    });
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><service_requests><request><service_request_id>&x;</service_request_id></request></service_requests>';
    sim.faults.failNext(1, { malformed: true, body: xxe, contentType: 'text/xml' });
    await expect(a.getStatus!('1001', { signal: signal() })).rejects.toMatchObject({ code: 'LGX_ERR_SOAP_UNSAFE_XML' });
  });

  it('treats a body that is not XML or JSON, or lacks an id, as a retryable malformed response', async () => {
    const a = await instance();
    sim.faults.failNext(1, { malformed: true, body: '<service_requests><request><service_request_id>1', contentType: 'text/xml' });
    await expect(a.submit!(street(), { signal: signal() })).rejects.toMatchObject({
      classification: 'retryable',
      code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE',
    });
    sim.faults.failNext(1, {
      malformed: true,
      body: '<service_requests><request><status>open</status></request></service_requests>',
      contentType: 'text/xml',
    });
    await expect(a.submit!(street(), { signal: signal() })).rejects.toMatchObject({ code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE' });
    const j = await instance({ format: 'json' });
    sim.faults.failNext(1, { malformed: true, body: '{"__proto__": {"polluted": 1}, "service_requests": [' });
    await expect(j.submit!(street(), { signal: signal() })).rejects.toMatchObject({ code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE' });
  });

  it('refuses deeply nested XML and ids with control characters as malformed, without crashing', async () => {
    const a = await instance();
    const deep = `<service_requests><request><service_request_id>1</service_request_id>${'<x>'.repeat(5000)}${'</x>'.repeat(5000)}</request></service_requests>`;
    sim.faults.failNext(1, { malformed: true, body: deep, contentType: 'text/xml' });
    await expect(a.submit!(street(), { signal: signal() })).rejects.toMatchObject({
      classification: 'retryable',
      code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE',
    });
    sim.faults.failNext(1, {
      malformed: true,
      body: '<service_requests><request><service_request_id>12&#10;34</service_request_id></request></service_requests>',
      contentType: 'text/xml',
    });
    await expect(a.submit!(street(), { signal: signal() })).rejects.toMatchObject({ code: 'LGX_ERR_TRANSPORT_MALFORMED_RESPONSE' });
  });

  it('reads JSON numbers as ids, drops prototype keys, and decodes XML character references once', async () => {
    const j = await instance({ format: 'json' });
    sim.faults.failNext(1, { malformed: true, body: '[{"__proto__": {"polluted": true}, "service_request_id": 4242}]' });
    await expect(j.submit!(street(), { signal: signal() })).resolves.toMatchObject({ externalRef: '4242' });
    sim.faults.failNext(1, { malformed: true, body: '{"service_request_id": "S-1", "service_notice": "Usually fixed in 5 days"}' });
    await expect(j.submit!(street(), { signal: signal() })).resolves.toMatchObject({
      externalRef: 'S-1',
      attributes: { serviceNotice: 'Usually fixed in 5 days' },
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const x = await instance();
    const body =
      '<?xml version="1.0"?><service_requests><request><service_request_id>7</service_request_id><status>open</status><status_notes>Fish &amp; chips &amp;lt;b&amp;gt; &#163;5</status_notes><updated_datetime>2026-11-20T10:00:00Z</updated_datetime></request></service_requests>';
    sim.faults.failNext(1, { malformed: true, body, contentType: 'text/xml' });
    await expect(x.getStatus!('7', { signal: signal() })).resolves.toMatchObject({
      externalRef: '7',
      description: 'Fish & chips &lt;b&gt; £5',
    });
  });
});

describe('status', () => {
  it.each(['xml', 'json'] as const)('maps GET requests/{id}.%s to the canonical status, with the server word kept', async (format) => {
    const a = await instance({ format });
    const { externalRef } = await a.submit!(street(), { signal: signal() });
    setOpen311Status(sim, externalRef, 'not_councils_responsibility', { description: 'Private road' });
    await expect(a.getStatus!(externalRef, { signal: signal() })).resolves.toEqual({
      externalRef,
      status: 'not_councils_responsibility',
      externalStatusCode: 'not_councils_responsibility',
      updatedAt: expect.stringMatching(/Z$/),
      source: 'open311',
      description: 'Private road',
    });
    expect(sim.requests.at(-1)!.path).toBe(`/open311/v2/requests/${externalRef}.${format}`);
  });

  it('maps server-specific words through statusMap and the stack `status` table, and unknown words to open', async () => {
    const a = await instance({ statusMap: { 'Awaiting Inspection': 'investigating' } }, { status: { WORKS_ORDERED: 'action_scheduled' } });
    const { externalRef } = await a.submit!(street(), { signal: signal() });
    sim.state.requests.get(externalRef)!.status = 'Awaiting Inspection' as never;
    await expect(a.getStatus!(externalRef, { signal: signal() })).resolves.toMatchObject({
      status: 'investigating',
      externalStatusCode: 'Awaiting Inspection',
    });
    sim.state.requests.get(externalRef)!.status = 'Something Else' as never;
    await expect(a.getStatus!(externalRef, { signal: signal() })).resolves.toMatchObject({
      status: 'open',
      externalStatusCode: 'Something Else',
    });
    sim.state.updates.push({
      update_id: 'x1',
      service_request_id: externalRef,
      status: 'in_progress',
      external_status_code: 'WORKS_ORDERED',
      updated_datetime: new Date().toISOString(),
      description: '',
    });
    const polled = await a.pollUpdates!(undefined, { signal: signal() });
    expect(polled.updates.find((u) => u.updateId === 'x1')).toMatchObject({
      status: 'action_scheduled',
      externalStatusCode: 'WORKS_ORDERED',
    });
  });

  it('reports an unknown service request as not found', async () => {
    const a = await instance();
    await expect(a.getStatus!('99999', { signal: signal() })).rejects.toMatchObject({ classification: 'notFound' });
  });

  it.each(['xml', 'json'] as const)(
    'polls servicerequestupdates.%s with a cursor: every update once, several in one second included',
    async (format) => {
      const a = await instance({ format });
      const { externalRef } = await a.submit!(street(), { signal: signal() });
      const first = await a.pollUpdates!(undefined, { signal: signal() });
      expect(first.updates).toEqual([
        expect.objectContaining({ externalRef, status: 'open', externalStatusCode: 'RECEIVED', updateId: 'u1' }),
      ]);
      const get = sim.requests.at(-1)!;
      expect(get.path).toBe(`/open311/v2/servicerequestupdates.${format}`);
      expect(get.query).toMatchObject({
        start_date: expect.stringMatching(/Z$/),
        end_date: expect.stringMatching(/Z$/),
        api_key: sim.apiKey,
      });

      setOpen311Status(sim, externalRef, 'investigating');
      setOpen311Status(sim, externalRef, 'fixed', { description: 'Filled', externalStatusCode: 'DONE' });
      const second = await a.pollUpdates!(first.cursor, { signal: signal() });
      expect(second.updates.map((u) => [u.status, u.externalStatusCode, u.updateId])).toEqual([
        ['investigating', 'investigating', 'u2'],
        ['fixed', 'DONE', 'u3'],
      ]);
      expect((await a.pollUpdates!(second.cursor, { signal: signal() })).updates).toEqual([]);
    },
  );

  it("skips 'unchanged' updates (comments without a status) but moves past them", async () => {
    const a = await instance();
    const { externalRef } = await a.submit!(street(), { signal: signal() });
    const first = await a.pollUpdates!(undefined, { signal: signal() });
    sim.state.updates.push({
      update_id: 'c1',
      service_request_id: externalRef,
      status: 'unchanged' as never,
      updated_datetime: new Date().toISOString(),
      description: 'We have looked',
    });
    const next = await a.pollUpdates!(first.cursor, { signal: signal() });
    expect(next.updates).toEqual([]);
    expect(JSON.parse(next.cursor).ids).toContain('c1');
  });

  it('skips an update it cannot read and reports the rest', async () => {
    const a = await instance();
    const { externalRef } = await a.submit!(street(), { signal: signal() });
    sim.state.updates.push({
      update_id: 'bad',
      service_request_id: '',
      status: 'fixed',
      updated_datetime: new Date().toISOString(),
      description: '',
    });
    const polled = await a.pollUpdates!(undefined, { signal: signal() });
    expect(polled.updates.map((u) => u.externalRef)).toEqual([externalRef]);
  });

  it('starts again from the look-back window when handed a cursor it cannot read', async () => {
    const a = await instance();
    await a.submit!(street(), { signal: signal() });
    await expect(a.pollUpdates!('{"__proto__":1}', { signal: signal() })).resolves.toMatchObject({
      updates: [expect.objectContaining({ externalRef: '1001' })],
    });
  });
});

describe('services', () => {
  it.each(['xml', 'json'] as const)('lists services (%s) with groups and attribute definitions for mapping', async (format) => {
    const services = await listOpen311Services({ baseUrl: sim.endpoint, format, withDefinitions: true });
    const pothole = services.find((s) => s.serviceCode === 'pothole')!;
    expect(pothole).toMatchObject({ serviceName: 'Pothole', metadata: true, type: 'realtime', groups: ['Roads'] });
    expect(pothole.attributes!.map((a) => a.code)).toEqual([
      'depthCm',
      'onBusRoute',
      'easting',
      'northing',
      'fixmystreet_id',
      'uprn',
      'usrn',
    ]);
    expect(pothole.attributes![1]).toMatchObject({
      datatype: 'singlevaluelist',
      required: false,
      values: [
        { key: 'true', name: 'Yes' },
        { key: 'false', name: 'No' },
      ],
    });
    expect(pothole.attributes![2]).toMatchObject({ code: 'easting', automated: 'server_set' });
    expect(services.find((s) => s.serviceCode === 'dead_animal')).toMatchObject({ nonPublic: true, keywords: ['private'] });
    expect(pothole.nonPublic).toBe(false);
  });

  it('check() reports the number of services, and failure when the server refuses', async () => {
    const a = await instance({ baseUrl: `${sim.endpoint}/` });
    await expect(a.check!({ signal: signal() })).resolves.toMatchObject({ ok: true, details: { services: expect.any(Number) } });
    sim.faults.failNext(1, { status: 500 });
    await expect(a.check!({ signal: signal() })).resolves.toMatchObject({ ok: false });
  });

  it('refuses a config without the API key or with an unknown format, naming the field', async () => {
    await expect(instantiateAdapter(adapter, { baseUrl: sim.endpoint })).rejects.toMatchObject({
      code: 'LGX_ERR_ADAPTER_CONFIG_INVALID',
      issues: [expect.objectContaining({ path: '/apiKey' })],
    });
    await expect(instantiateAdapter(adapter, { baseUrl: sim.endpoint, apiKey: 'k', format: 'yaml' })).rejects.toMatchObject({
      issues: [expect.objectContaining({ path: '/format' })],
    });
    await expect(
      instantiateAdapter(adapter, { baseUrl: sim.endpoint, apiKey: 'k', serviceCodes: JSON.parse('{"__proto__": "x"}') }),
    ).rejects.toMatchObject({ code: 'LGX_ERR_ADAPTER_CONFIG_INVALID' });
  });
});
