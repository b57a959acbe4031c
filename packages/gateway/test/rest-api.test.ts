import { CHANNELS, createTransaction } from '@lgx/core';
import { createApiKey, createGateway, createMemoryKeyStore } from '../src';
import { loadFixtures, waitFor } from '@lgx/testkit';
import { callGateway, type CallOptions } from './helpers/call-gateway';
import { COUNCIL, OTHER_COUNCIL, startHarness, type Harness } from './helpers/gateway-harness';

let h: Harness;
let submitKey: string;
let readKey: string;
let adminKey: string;

const missed = loadFixtures('waste.missedCollection', { kind: 'valid' }).map((f) => f.data);
const pothole = { kind: 'pothole', description: 'Deep pothole by the bus stop', location: { usrn: '8400709' } };

const call = (method: string, path: string, options: CallOptions = {}) => callGateway(h.url, method, path, options);

beforeAll(async () => {
  h = await startHarness({ queryTimeoutMs: 500, bodyLimit: 64 * 1024 });
  submitKey = await h.key(['submit', 'read']);
  // These tests read transactions back as stored: the masked view of a plain read key is tested in personal-data-scopes.test.ts.
  readKey = await h.key(['read', 'personal-data']);
  adminKey = await h.key(['admin']);
});
afterAll(() => h.close());

describe('POST /v1/transactions', () => {
  it('accepts a canonical envelope with 202 and a Location that shows its delivery', async () => {
    const tx = createTransaction('waste.missedCollection', structuredClone(missed[0]) as never, { council: COUNCIL, channel: 'web' });
    const res = await call('POST', '/v1/transactions', { key: submitKey, body: tx });
    expect(res.status).toBe(202);
    expect(res.json).toEqual(expect.objectContaining({ id: tx.id, duplicate: false }));
    const location = res.headers.get('location')!;
    expect(location).toBe(`/v1/transactions/${tx.id}`);
    await waitFor(async () => (await call('GET', `/v1/transactions/${tx.id}`, { key: readKey })).json?.state === 'delivered', 'delivery');
    const view = (await call('GET', `/v1/transactions/${tx.id}`, { key: readKey })).json;
    expect(view.transaction).toEqual(tx);
    expect(view.deliveries).toEqual([
      expect.objectContaining({
        target: 'waste',
        state: 'delivered',
        attempts: 1,
        receipt: expect.objectContaining({ externalRef: expect.any(String) }),
      }),
    ]);
    expect(view.deliveries[0].attemptLog).toEqual([expect.objectContaining({ attempt: 1, outcome: 'delivered' })]);
    expect(h.waste.state.cases.size).toBeGreaterThanOrEqual(1);
  });

  it('answers the same idempotency key with the same id, and the back office gets it once', async () => {
    const before = h.streets.state.reports.size;
    const first = createTransaction('street.report', pothole as never, { council: COUNCIL, idempotencyKey: 'form-77' });
    const again = createTransaction('street.report', pothole as never, { council: COUNCIL, idempotencyKey: 'form-77' });
    const a = await call('POST', '/v1/transactions', { key: submitKey, body: first });
    const b = await call('POST', '/v1/transactions', { key: submitKey, body: again });
    expect([a.status, b.status]).toEqual([202, 200]);
    expect(b.json).toEqual(expect.objectContaining({ id: first.id, duplicate: true }));
    expect(b.headers.get('location')).toBe(`/v1/transactions/${first.id}`);
    await waitFor(
      async () => (await call('GET', `/v1/transactions/${first.id}`, { key: readKey })).json?.state === 'delivered',
      'delivery',
    );
    expect(h.streets.state.reports.size).toBe(before + 1);
  });

  it('completes the short form {type, data}, taking the council from the key and the key from Idempotency-Key', async () => {
    const body = { type: 'street.report', data: pothole };
    const a = await call('POST', '/v1/transactions', { key: submitKey, body, headers: { 'idempotency-key': 'short-1' } });
    const b = await call('POST', '/v1/transactions', { key: submitKey, body, headers: { 'idempotency-key': 'short-1' } });
    expect(a.status).toBe(202);
    expect(b.json.id).toBe(a.json.id);
    const view = (await call('GET', `/v1/transactions/${a.json.id}`, { key: readKey })).json;
    expect(view.transaction).toEqual(
      expect.objectContaining({ council: COUNCIL, idempotencykey: 'short-1', type: 'street.report', specversion: '1.0', channel: 'api' }),
    );
  });

  it('records the channel of a key issued to one in the short form, and the source follows it; other bodies keep their own', async () => {
    const { key: webKey } = await createApiKey(h.keys, {
      council: COUNCIL,
      scopes: ['submit', 'read'],
      channel: 'web',
      label: 'web forms',
    });
    const submitted = async (body: unknown) => {
      const res = await call('POST', '/v1/transactions', { key: webKey, body });
      expect(res.status).toBe(202);
      return (await call('GET', `/v1/transactions/${res.json.id}`, { key: webKey })).json.transaction;
    };
    expect(await submitted({ type: 'street.report', data: pothole })).toEqual(
      expect.objectContaining({ channel: 'web', source: `/councils/${COUNCIL}/channels/web` }),
    );
    // A short form that names its own channel keeps it; a full envelope keeps its channel and source.
    expect(await submitted({ type: 'street.report', channel: 'phone', data: pothole })).toEqual(
      expect.objectContaining({ channel: 'phone', source: `/councils/${COUNCIL}/channels/phone` }),
    );
    const envelope = createTransaction('street.report', pothole as never, {
      council: COUNCIL,
      channel: 'staff',
      source: `/councils/${COUNCIL}/contact-centre`,
    });
    expect(await submitted(envelope)).toEqual(expect.objectContaining({ channel: 'staff', source: `/councils/${COUNCIL}/contact-centre` }));
    // A key without a channel records api, as before.
    const plain = await call('POST', '/v1/transactions', { key: submitKey, body: { type: 'street.report', data: pothole } });
    expect((await call('GET', `/v1/transactions/${plain.json.id}`, { key: readKey })).json.transaction).toEqual(
      expect.objectContaining({ channel: 'api', source: `/councils/${COUNCIL}/channels/api` }),
    );
  });

  it('refuses to create a key for a channel the envelope schema does not have', async () => {
    const keys = createMemoryKeyStore();
    await expect(createApiKey(keys, { council: COUNCIL, channel: 'fax' as never })).rejects.toThrow(
      `unknown channel 'fax' (channels: ${CHANNELS.join(', ')})`,
    );
    expect(await keys.list()).toEqual([]);
  });

  it('lists every field error as RFC 9457 problem+json with 400', async () => {
    const res = await call('POST', '/v1/transactions', {
      key: submitKey,
      body: { type: 'street.report', data: { kind: 'volcano', location: {} } },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.json).toEqual(
      expect.objectContaining({
        status: 400,
        code: 'LGX_ERR_VALIDATION_INVALID',
        title: 'Bad Request',
        type: expect.stringContaining('lgx_err_validation_invalid'),
      }),
    );
    const paths = res.json.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/data/kind', '/data/description']));
    expect(res.json.errors.every((e: { rule: string; message: string }) => e.rule && e.message)).toBe(true);
  });

  it('refuses malformed JSON, a wrong content type, an oversized body and an unknown type with clear 4xx problems', async () => {
    const malformed = await call('POST', '/v1/transactions', { key: submitKey, raw: '{"type": "street.report", ' });
    expect([malformed.status, malformed.json.code]).toEqual([400, 'LGX_ERR_VALIDATION_MALFORMED_JSON']);
    const wrongType = await call('POST', '/v1/transactions', {
      key: submitKey,
      raw: 'type=street.report',
      type: 'application/x-www-form-urlencoded',
    });
    expect([wrongType.status, wrongType.json.code]).toEqual([415, 'LGX_ERR_GATEWAY_UNSUPPORTED_MEDIA_TYPE']);
    const big = await call('POST', '/v1/transactions', {
      key: submitKey,
      body: { type: 'street.report', data: { ...pothole, description: 'x'.repeat(70 * 1024) } },
    });
    expect([big.status, big.json.code]).toEqual([413, 'LGX_ERR_VALIDATION_TOO_LARGE']);
    const unknown = await call('POST', '/v1/transactions', { key: submitKey, body: { type: 'waste.dragonCollection', data: {} } });
    expect([unknown.status, unknown.json.code]).toEqual([400, 'LGX_ERR_SCHEMA_UNKNOWN_TYPE']);
    const notObject = await call('POST', '/v1/transactions', { key: submitKey, body: [1, 2] });
    expect(notObject.status).toBe(400);
  });

  it('refuses prototype keys without touching Object.prototype', async () => {
    const raw = `{"type":"street.report","data":{"kind":"pothole","description":"x","location":{"usrn":"8400709"},"__proto__":{"polluted":true}},"constructor":{"prototype":{"polluted":true}}}`;
    const res = await call('POST', '/v1/transactions', { key: submitKey, raw });
    expect(res.status).toBe(400);
    expect(res.json.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['/data/__proto__']));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await call('GET', '/v1/health/live')).status).toBe(200);
  });

  it('dead-letters what the back office refuses, and shows it', async () => {
    h.streets.faults.failNext(1, { status: 400, body: { error: 'bad report' } });
    const res = await call('POST', '/v1/transactions', { key: submitKey, body: { type: 'street.report', data: pothole } });
    await waitFor(
      async () => (await call('GET', `/v1/transactions/${res.json.id}`, { key: readKey })).json?.state === 'dead',
      'dead letter',
    );
    const view = (await call('GET', `/v1/transactions/${res.json.id}`, { key: readKey })).json;
    expect(view.deliveries[0]).toEqual(
      expect.objectContaining({ state: 'dead', lastError: expect.objectContaining({ classification: 'permanent' }) }),
    );
  });

  it('shows no last error once a later attempt delivered it; the attempt log keeps the failure', async () => {
    h.waste.faults.failNext(1, { status: 503, body: { error: 'maintenance' } });
    const res = await call('POST', '/v1/transactions', { key: submitKey, body: { type: 'waste.missedCollection', data: missed[0] } });
    await waitFor(
      async () => (await call('GET', `/v1/transactions/${res.json.id}`, { key: readKey })).json?.state === 'delivered',
      'delivery after a retry',
    );
    const [delivery] = (await call('GET', `/v1/transactions/${res.json.id}`, { key: readKey })).json.deliveries;
    expect(delivery).not.toHaveProperty('lastError');
    expect(delivery.attemptLog.map((a: { outcome: string }) => a.outcome)).toEqual(['failed', 'delivered']);
  });
});

describe('API keys and councils', () => {
  it('answers 401 without a key or with a wrong one, and never echoes the key', async () => {
    const none = await call('GET', '/v1/transactions');
    expect([none.status, none.json.code]).toEqual([401, 'LGX_ERR_GATEWAY_UNAUTHENTICATED']);
    const forged = `${submitKey.slice(0, -4)}AAAA`;
    const wrong = await call('GET', '/v1/transactions', { key: forged });
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain(forged);
    const garbage = await call('GET', '/v1/transactions', { headers: { 'x-api-key': 'not-a-key' } });
    expect(garbage.status).toBe(401);
  });

  it('accepts X-API-Key as well as a bearer token', async () => {
    expect((await call('GET', '/v1/transactions', { headers: { 'x-api-key': readKey } })).status).toBe(200);
  });

  it('answers 403 for a key without the scope, and a revoked key 401', async () => {
    const res = await call('POST', '/v1/transactions', { key: readKey, body: { type: 'street.report', data: pothole } });
    expect([res.status, res.json.code]).toEqual([403, 'LGX_ERR_GATEWAY_FORBIDDEN']);
    const key = await h.key(['read']);
    expect((await call('GET', '/v1/transactions', { key })).status).toBe(200);
    await h.keys.revoke(key.slice(4, 16));
    expect((await call('GET', '/v1/transactions', { key })).status).toBe(401);
  });

  it("never shows one council another council's transactions (404, not 403)", async () => {
    const mine = await call('POST', '/v1/transactions', { key: submitKey, body: { type: 'street.report', data: pothole } });
    const otherKey = await h.key(['submit', 'read'], OTHER_COUNCIL);
    const peek = await call('GET', `/v1/transactions/${mine.json.id}`, { key: otherKey });
    expect([peek.status, peek.json.code]).toEqual([404, 'LGX_ERR_GATEWAY_NOT_FOUND']);
    const list = await call('GET', '/v1/transactions', { key: otherKey });
    expect(list.json.items.map((i: { id: string }) => i.id)).not.toContain(mine.json.id);
    const theirs = await call('POST', '/v1/transactions', { key: otherKey, body: { type: 'street.report', data: pothole } });
    expect(theirs.status).toBe(202);
    expect((await call('GET', `/v1/transactions/${theirs.json.id}`, { key: readKey })).status).toBe(404);
    // Submitting for a council the key does not act for is refused.
    const forOther = createTransaction('street.report', pothole as never, { council: COUNCIL });
    expect((await call('POST', '/v1/transactions', { key: otherKey, body: forOther })).status).toBe(403);
  });
});

describe('GET /v1/transactions', () => {
  it('lists newest first, filters by type and pages with a cursor', async () => {
    const key = await h.key(['submit', 'read'], OTHER_COUNCIL);
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1)
      ids.push((await call('POST', '/v1/transactions', { key, body: { type: 'street.report', data: pothole } })).json.id);
    const all = (await call('GET', '/v1/transactions?type=street.report&limit=100', { key })).json.items.map((i: { id: string }) => i.id);
    expect(all.slice(0, 5)).toEqual([...ids].reverse());
    const page1 = (await call('GET', '/v1/transactions?type=street.report&limit=3', { key })).json;
    expect(page1.items).toHaveLength(3);
    const page2 = (await call('GET', `/v1/transactions?type=street.report&limit=3&cursor=${page1.next}`, { key })).json;
    expect([...page1.items, ...page2.items].map((i: { id: string }) => i.id)).toEqual(all.slice(0, 3 + page2.items.length));
    expect((await call('GET', '/v1/transactions?type=waste.missedCollection', { key })).json.items).toEqual([]);
    expect((await call('GET', '/v1/transactions?limit=1000', { key })).status).toBe(400);
    expect((await call('GET', '/v1/transactions?cursor=nonsense', { key })).status).toBe(400);
    expect((await call('GET', '/v1/transactions?from=yesterday', { key })).status).toBe(400);
  });
});

describe('POST /v1/queries/:type', () => {
  it('answers a look-up through the adapter', async () => {
    const res = await call('POST', '/v1/queries/waste.collectionSchedule', { key: readKey, body: { uprn: '100023336956' } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual(
      expect.objectContaining({
        type: 'waste.collectionSchedule',
        adapter: 'waste',
        result: expect.objectContaining({ uprn: '100023336956' }),
      }),
    );
  });

  it('refuses bad parameters (400), an unknown query (400) and times out on a slow back office (504)', async () => {
    const bad = await call('POST', '/v1/queries/waste.collectionSchedule', { key: readKey, body: { uprn: 'not-a-uprn' } });
    expect([bad.status, bad.json.errors[0].path]).toEqual([400, '/uprn']);
    expect((await call('POST', '/v1/queries/waste.dragons', { key: readKey, body: {} })).status).toBe(400);
    h.waste.faults.latency(2000);
    try {
      const slow = await call('POST', '/v1/queries/waste.collectionSchedule', { key: readKey, body: { uprn: '100023336956' } });
      expect(slow.status).toBe(504);
      expect(slow.json.code).toBe('LGX_ERR_TRANSPORT_TIMEOUT');
    } finally {
      h.waste.faults.latency(0);
    }
  });
});

describe('POST /v1/callbacks/:adapter', () => {
  it('records a vendor push on the transaction, and refuses a bad token (401), a bad body (400) and an adapter without callbacks (404)', async () => {
    const sent = await call('POST', '/v1/transactions', { key: submitKey, body: { type: 'street.report', data: pothole } });
    await waitFor(
      async () => (await call('GET', `/v1/transactions/${sent.json.id}`, { key: readKey })).json?.state === 'delivered',
      'delivery',
    );
    const ref = (await call('GET', `/v1/transactions/${sent.json.id}`, { key: readKey })).json.deliveries[0].receipt.externalRef as string;
    const push = (headers: Record<string, string>, raw: string) => call('POST', `/v1/callbacks/${COUNCIL}/streets`, { raw, headers });
    const ok = await push({ 'x-token': 'streets-test-key-0001' }, JSON.stringify({ ref, status: 'action_scheduled' }));
    expect([ok.status, ok.json]).toEqual([200, { received: true, stored: 1 }]);
    const history = (await call('GET', `/v1/transactions/${sent.json.id}`, { key: readKey })).json.statusHistory;
    expect(history).toEqual([expect.objectContaining({ source: 'streets', externalRef: ref, status: 'action_scheduled' })]);
    const forged = await push({ 'x-token': 'wrong' }, JSON.stringify({ ref, status: 'closed' }));
    expect([forged.status, forged.json.code]).toEqual([401, 'LGX_ERR_ADAPTER_AUTH']);
    const garbage = await push({ 'x-token': 'streets-test-key-0001' }, 'not json');
    expect(garbage.status).toBe(400);
    expect((await call('GET', `/v1/transactions/${sent.json.id}`, { key: readKey })).json.statusHistory).toHaveLength(1);
    const noCallbacks = await call('POST', `/v1/callbacks/${COUNCIL}/waste`, { raw: '{}' });
    expect([noCallbacks.status, noCallbacks.json.code]).toEqual([404, 'LGX_ERR_GATEWAY_NOT_FOUND']);
    expect((await call('POST', '/v1/callbacks/waste', { raw: '{}' })).status).toBe(404);
    expect((await call('POST', '/v1/callbacks/nobody', { raw: '{}' })).status).toBe(404);
    // Both councils here run an adapter called 'streets': the short path cannot tell which is meant.
    const ambiguous = await call('POST', '/v1/callbacks/streets', { raw: '{}' });
    expect([ambiguous.status, ambiguous.json.detail]).toEqual([404, expect.stringContaining(`/v1/callbacks/<council>/streets`)]);
  });
});

describe('schemas, health, metrics and OpenAPI', () => {
  it('lists schemas and returns one by type and version', async () => {
    const list = (await call('GET', '/v1/schemas', { key: readKey })).json.items;
    expect(list).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'payment', kind: 'transaction', versions: [1, 2] }),
        expect.objectContaining({ type: 'waste.collectionSchedule', kind: 'query' }),
      ]),
    );
    expect((await call('GET', '/v1/schemas/payment?version=1', { key: readKey })).json.$id).toBe('https://schemas.lgx.dev/payment/v1.json');
    expect((await call('GET', '/v1/schemas/payment', { key: readKey })).json.$id).toBe('https://schemas.lgx.dev/payment/v2.json');
    expect((await call('GET', '/v1/schemas/nothing', { key: readKey })).status).toBe(404);
    expect((await call('GET', '/v1/schemas/payment?version=7', { key: readKey })).status).toBe(400);
  });

  it('reports health without a key: ok, then degraded while a back office is down', async () => {
    // A gateway of its own that checks every 50 ms, so the other tests' faults are not taken by checks.
    const gateway = createGateway({ stacks: [h.stack], keys: h.keys, healthCheckIntervalMs: 50, healthCheckTimeoutMs: 5_000 });
    const url = await gateway.listen();
    const health = async () => {
      const res = await fetch(`${url}/v1/health`);
      return {
        status: res.status,
        json: (await res.json()) as {
          status: string;
          councils: Record<string, { store: { ok: boolean }; adapters: Record<string, Record<string, unknown>> }>;
        },
      };
    };
    try {
      await waitFor(async () => (await health()).json.status === 'ok', 'first checks');
      const ok = await health();
      expect(ok.status).toBe(200);
      expect(ok.json.councils[COUNCIL]!.store).toEqual({ ok: true });
      const { waste, streets } = ok.json.councils[COUNCIL]!.adapters;
      expect(waste).toEqual(expect.objectContaining({ ok: true, status: 'ok', checkedAt: expect.any(String), ageMs: expect.any(Number) }));
      expect(streets).toEqual(expect.objectContaining({ ok: true, status: 'ok' }));
      expect((await call('GET', '/v1/health/live')).json).toEqual({ status: 'ok' });
      h.streets.faults.down();
      await waitFor(async () => (await health()).json.status === 'degraded', 'a failed check');
      const degraded = await health();
      expect(degraded.status).toBe(200);
      expect(degraded.json.councils[COUNCIL]!.adapters.streets).toEqual(
        expect.objectContaining({ ok: false, status: 'failing', error: 'reported', checkedAt: expect.any(String) }),
      );
      expect(degraded.json.councils[COUNCIL]!.adapters.waste).toEqual(expect.objectContaining({ ok: true }));
    } finally {
      h.streets.faults.up();
      await gateway.close();
    }
  });

  it('serves Prometheus metrics to admin keys only', async () => {
    expect((await call('GET', '/metrics', { key: readKey })).status).toBe(403);
    const res = await call('GET', '/metrics', { key: adminKey });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toMatch(new RegExp(`lgx_transactions_accepted_total\\{council="${COUNCIL}",type="street.report"\\} \\d+`));
    expect(res.text).toMatch(/lgx_deliveries_delivered_total\{council="E07000223",adapter="waste"\} \d+/);
    expect(res.text).toMatch(/lgx_dead_letters_total\{council="E07000223",adapter="streets",class="permanent"\} 1/);
    expect(res.text).toMatch(/lgx_delivery_attempt_duration_seconds_bucket\{council="E07000223",adapter="waste",le="\+Inf"\} \d+/);
  });

  it('publishes an OpenAPI 3.1 document whose every $ref resolves inside it', async () => {
    const res = await call('GET', '/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.json;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/transactions',
        '/v1/transactions/{id}',
        '/v1/queries/{type}',
        '/v1/schemas',
        '/v1/health',
        '/metrics',
        '/v1/callbacks/{adapter}',
      ]),
    );
    const refs: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, inner] of Object.entries(v)) {
          if (k === '$ref') refs.push(String(inner));
          else walk(inner);
        }
      }
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(100);
    const resolve = (ref: string) =>
      ref
        .slice(2)
        .split('/')
        .reduce<unknown>(
          (node, part) => (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')],
          doc,
        );
    expect(refs.filter((r) => !r.startsWith('#/') || resolve(r) === undefined)).toEqual([]);
    expect(doc.components.schemas['waste.missedCollection.v1'].properties.uprn).toBeDefined();
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await call('GET', '/v1/nothing-here');
    expect([res.status, res.json.code]).toEqual([404, 'LGX_ERR_GATEWAY_NOT_FOUND']);
  });
});
