import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OPEN311_TEST_API_KEY, setOpen311Status, startOpen311Simulator, type Open311Simulator } from '../src/testing';

let sim: Open311Simulator;
beforeAll(async () => {
  sim = await startOpen311Simulator();
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.reset();
  sim.setTokenMode(null);
});

async function get(path: string) {
  const res = await fetch(`${sim.endpoint}${path}`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

async function post(path: string, fields: Record<string, string | string[]>) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  const res = await fetch(`${sim.endpoint}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

const pothole = { api_key: OPEN311_TEST_API_KEY, service_code: 'pothole', lat: '52.2', long: '0.12', description: 'Deep hole' };

describe('Open311 simulator', () => {
  it('serves services and service definitions in XML and JSON', async () => {
    const xml = await get('/services.xml');
    expect(xml.type).toMatch(/text\/xml/);
    expect(xml.text).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<services><service><service_code>pothole<\/service_code>/);
    expect(xml.text).toContain('<groups><group>Roads</group></groups>');
    const json = JSON.parse((await get('/services.json')).text) as Array<{ service_code: string; metadata: boolean }>;
    expect(json.find((s) => s.service_code === 'fly_tipping')).toMatchObject({ metadata: true });
    const def = JSON.parse((await get('/services/fly_tipping.json')).text) as {
      service_code: string;
      attributes: Array<{ code: string; datatype: string; automated?: string }>;
    };
    expect(def.attributes[0]).toMatchObject({ code: 'itemTypes', datatype: 'multivaluelist' });
    expect(def.attributes.find((a) => a.code === 'easting')).toMatchObject({ automated: 'server_set' });
    expect((await get('/services/pothole.xml')).text).toContain(
      '<service_definition><service_code>pothole</service_code><attributes><attribute>',
    );
    expect((await get('/services/nope.xml')).status).toBe(404);
    expect((await get('/services.yaml')).status).toBe(404);
  });

  it('creates a request from a form POST and answers it by id', async () => {
    const created = await post('/requests.xml', { ...pothole, 'attribute[depthCm]': '12', 'attribute[onBusRoute]': 'true' });
    expect(created.status).toBe(201);
    expect(created.text).toContain('<service_requests><request><service_request_id>1001</service_request_id>');
    const one = JSON.parse((await get('/requests/1001.json')).text) as Array<Record<string, unknown>>;
    expect(one).toEqual([
      expect.objectContaining({
        service_request_id: '1001',
        status: 'open',
        service_code: 'pothole',
        lat: '52.2',
        long: '0.12',
        description: 'Deep hole',
      }),
    ]);
    expect(sim.state.requests.get('1001')!.attributes).toEqual({ depthCm: '12', onBusRoute: 'true' });
    expect((await get('/requests/4040.xml')).status).toBe(404);
    const list = JSON.parse((await get('/requests.json?service_code=pothole&status=open')).text) as unknown[];
    expect(list).toHaveLength(1);
  });

  it("answers errors in the spec's format: wrong api_key 403, unknown service 404, missing location or bad list value 400", async () => {
    const bad = await post('/requests.xml', { ...pothole, api_key: 'wrong' });
    expect(bad.status).toBe(403);
    expect(bad.text).toContain('<errors><error><code>403</code><description>Invalid api_key</description></error></errors>');
    expect((await post('/requests.json', { ...pothole, service_code: 'nope' })).status).toBe(404);
    const noWhere = await post('/requests.json', { api_key: OPEN311_TEST_API_KEY, service_code: 'pothole' });
    expect(noWhere.status).toBe(400);
    expect(JSON.parse(noWhere.text)).toEqual([{ code: 400, description: 'lat/long, address_string or address_id required' }]);
    expect((await post('/requests.json', { ...pothole, 'attribute[onBusRoute]': 'maybe' })).status).toBe(400);
    expect((await post('/requests.json', { ...pothole, service_code: 'missed_refuse', address_id: '100090215480' })).status).toBe(400);
    expect(sim.state.requests.size).toBe(0);
  });

  it('escapes text in XML answers', async () => {
    await post('/requests.xml', { ...pothole, description: '<b>Fish & chips</b>' });
    expect((await get('/requests/1001.xml')).text).toContain('<description>&lt;b&gt;Fish &amp; chips&lt;/b&gt;</description>');
  });

  it('de-duplicates on the idempotency attribute', async () => {
    const first = await post('/requests.json', { ...pothole, 'attribute[lgx_idempotency_key]': 'k1' });
    const again = await post('/requests.json', { ...pothole, 'attribute[lgx_idempotency_key]': 'k1' });
    expect(JSON.parse(again.text)).toEqual([{ service_request_id: JSON.parse(first.text)[0].service_request_id }]);
    expect(sim.state.requests.size).toBe(1);
  });

  it('in token mode answers a token that resolves after N polls', async () => {
    sim.setTokenMode({ resolveAfterPolls: 2 });
    const created = JSON.parse((await post('/requests.json', pothole)).text) as Array<{ token: string }>;
    const token = created[0]!.token;
    expect(token).toMatch(/^tok-/);
    expect(sim.state.requests.size).toBe(0);
    expect(JSON.parse((await get(`/tokens/${token}.json`)).text)).toEqual([{ token }]);
    expect((await get(`/tokens/${token}.xml`)).text).toContain(`<service_request_id>1001</service_request_id><token>${token}</token>`);
    expect(sim.state.requests.size).toBe(1);
    expect((await get('/tokens/unknown.xml')).status).toBe(404);
  });

  it('reports status changes as mySociety servicerequestupdates between start_date and end_date', async () => {
    await post('/requests.xml', pothole);
    setOpen311Status(sim, '1001', 'action_scheduled', { description: 'Booked', externalStatusCode: 'BOOKED' });
    const all = JSON.parse(
      (await get('/servicerequestupdates.json?start_date=2000-01-01T00:00:00Z&end_date=2999-01-01T00:00:00Z')).text,
    ) as Array<Record<string, unknown>>;
    expect(all.map((u) => [u.update_id, u.status, u.external_status_code])).toEqual([
      ['u1', 'open', 'RECEIVED'],
      ['u2', 'action_scheduled', 'BOOKED'],
    ]);
    expect((await get('/servicerequestupdates.xml?start_date=2999-01-01T00:00:00Z')).text).toContain(
      '<service_request_updates></service_request_updates>',
    );
    expect((await get('/servicerequestupdates.xml?start_date=yesterday')).status).toBe(400);
    expect((await get('/requests/1001.json')).text).toContain('"status_notes":"Booked"');
  });

  it('accepts a POSTed update in upper case and applies it', async () => {
    await post('/requests.xml', pothole);
    const update = await post('/servicerequestupdates.xml', {
      api_key: OPEN311_TEST_API_KEY,
      service_request_id: '1001',
      update_id: 'fms-1',
      status: 'FIXED',
      updated_datetime: '2026-11-20T10:00:00Z',
      description: 'Resident says fixed',
    });
    expect(update.status).toBe(200);
    expect(update.text).toMatch(/<request_update><update_id>u2<\/update_id><\/request_update>/);
    expect(sim.state.requests.get('1001')!.status).toBe('fixed');
    expect(
      (
        await post('/servicerequestupdates.xml', {
          api_key: 'wrong',
          service_request_id: '1001',
          update_id: 'x',
          status: 'FIXED',
          updated_datetime: '2026-11-20T10:00:00Z',
          description: 'x',
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await post('/servicerequestupdates.json', {
          api_key: OPEN311_TEST_API_KEY,
          service_request_id: '1001',
          update_id: 'x',
          status: 'MADE_UP',
          updated_datetime: '2026-11-20T10:00:00Z',
          description: 'x',
        })
      ).status,
    ).toBe(400);
  });

  it('applies the testkit fault injection', async () => {
    sim.faults.failNext(1, { status: 503 });
    expect((await get('/services.xml')).status).toBe(503);
    expect((await get('/services.xml')).status).toBe(200);
  });

  it('checks jurisdiction_id when configured', async () => {
    const scoped = await startOpen311Simulator({ jurisdictionId: 'council.example', basePath: '' });
    try {
      expect((await fetch(`${scoped.endpoint}/services.xml`)).status).toBe(400);
      expect((await fetch(`${scoped.endpoint}/services.xml?jurisdiction_id=other`)).status).toBe(404);
      expect((await fetch(`${scoped.endpoint}/services.xml?jurisdiction_id=council.example`)).status).toBe(200);
    } finally {
      await scoped.close();
    }
  });
});

describe('Open311 simulator with a state folder', () => {
  it('continues numbering after a restart and still answers for earlier requests, updates and keys', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lgx-open311-state-'));
    const form = (fields: Record<string, string>) => ({
      method: 'POST',
      body: new URLSearchParams(fields),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    try {
      const first = await startOpen311Simulator({ stateDir: dir });
      const created = await fetch(`${first.endpoint}/requests.json`, form({ ...pothole, 'attribute[lgx_idempotency_key]': 'form-1' }));
      expect(await created.json()).toEqual([expect.objectContaining({ service_request_id: '1001' })]);
      setOpen311Status(first, '1001', 'action_scheduled', { description: 'Crew booked' });
      await first.close();

      const second = await startOpen311Simulator({ stateDir: dir });
      try {
        expect(await (await fetch(`${second.endpoint}/requests/1001.json`)).json()).toEqual([
          expect.objectContaining({ service_request_id: '1001', status: 'action_scheduled', status_notes: 'Crew booked' }),
        ]);
        const next = await fetch(`${second.endpoint}/requests.json`, form(pothole));
        expect(await next.json()).toEqual([expect.objectContaining({ service_request_id: '1002' })]);
        // The same idempotency key as before the restart: the first request, not a new one.
        const again = await fetch(`${second.endpoint}/requests.json`, form({ ...pothole, 'attribute[lgx_idempotency_key]': 'form-1' }));
        expect(await again.json()).toEqual([{ service_request_id: '1001' }]);
        const updates = (await (await fetch(`${second.endpoint}/servicerequestupdates.json`)).json()) as Array<{
          update_id: string;
          service_request_id: string;
          status: string;
        }>;
        expect(updates.map((u) => [u.update_id, u.service_request_id, u.status])).toEqual([
          ['u1', '1001', 'open'],
          ['u2', '1001', 'action_scheduled'],
          ['u3', '1002', 'open'],
        ]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
