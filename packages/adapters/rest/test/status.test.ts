import { startFieldbookSimulator, type FieldbookSimulator } from '../src/testing';
import type { RestAdapterConfig } from '../src';
import { exampleConfig, fixture, instance, rejection, signal, tx } from './helpers';

let sim: FieldbookSimulator;
beforeAll(async () => {
  sim = await startFieldbookSimulator({ auth: 'bearer' });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

type Instance = Awaited<ReturnType<typeof instance>>['a'];
const config = () => exampleConfig(sim, { staticToken: true });
const created = async (a: Instance) =>
  (
    await a.submit!(tx('waste.missedCollection', fixture('waste.missedCollection', 'recycling-bin-out-not-emptied')) as never, {
      signal: signal(),
    })
  ).externalRef;

describe('getStatus', () => {
  it('maps the record through the status mapping and statusMap, keeping the vendor code', async () => {
    const { a } = await instance(config());
    const ref = await created(a);
    const r = sim.setState(ref, 'scheduled', 'Crew back on Thursday');
    expect(await a.getStatus!(ref, { signal: signal() })).toEqual({
      externalRef: ref,
      status: 'action_scheduled',
      externalStatusCode: 'scheduled',
      updatedAt: r.stateChangedAt,
      description: 'Crew back on Thursday',
      updateId: `${ref}:${r.stateChangedAt}`,
      source: 'rest',
    });
  });

  it('encodes the reference into its path segment', async () => {
    const { a } = await instance(config());
    await expect(a.getStatus!('../changes', { signal: signal() })).rejects.toMatchObject({ classification: 'notFound' });
    expect(sim.requests.at(-1)!.path).toBe('/v2/requests/..%2Fchanges');
    // URLs resolve dot segments even percent-encoded: the adapter refuses them before sending.
    const sent = sim.requests.length;
    for (const ref of ['..', '.']) {
      await expect(a.getStatus!(ref, { signal: signal() })).rejects.toMatchObject({
        classification: 'permanent',
        message: expect.stringContaining('/status/path'),
      });
    }
    expect(sim.requests.length).toBe(sent);
  });

  it('answers notFound for a record the back office does not have, never an invented status', async () => {
    const { a } = await instance(config());
    await expect(a.getStatus!('FB-999999', { signal: signal() })).rejects.toMatchObject({
      classification: 'notFound',
      status: 404,
      vendorCode: 'NOT_FOUND',
    });
  });

  it('reports a code missing from statusMap as open, warning once, or as "*" when given', async () => {
    const { a, logs } = await instance({ ...config(), statusMap: { received: 'open' } });
    const ref = await created(a);
    sim.setState(ref, 'triaged');
    expect(await a.getStatus!(ref, { signal: signal() })).toMatchObject({ status: 'open', externalStatusCode: 'triaged' });
    await a.getStatus!(ref, { signal: signal() });
    expect(logs.filter((e) => e.msg.startsWith('vendor status code not in statusMap'))).toHaveLength(1);
    const { a: b } = await instance({ ...config(), statusMap: { '*': 'in_progress' } });
    expect(await b.getStatus!(ref, { signal: signal() })).toMatchObject({ status: 'in_progress' });
  });

  it('is unsupported when the config has no status request', async () => {
    const c: RestAdapterConfig = config();
    delete c.status;
    const { a } = await instance(c);
    await expect(a.getStatus!('FB-000001', { signal: signal() })).rejects.toMatchObject({ classification: 'unsupported' });
  });

  it('stops when its signal is aborted', async () => {
    const { a } = await instance(config());
    sim.faults.failNext(5, { timeout: true });
    const controller = new AbortController();
    const pending = a.getStatus!('FB-000001', { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ classification: 'retryable' });
    sim.faults.clear();
  });
});

describe('pollUpdates', () => {
  it('reads the change feed from the cursor the mapping gives, each change once', async () => {
    const { a } = await instance(config());
    const ref = await created(a);
    const first = await a.pollUpdates!(undefined, { signal: signal() });
    expect(first).toEqual({ updates: [expect.objectContaining({ externalRef: ref, updateId: '1', status: 'open' })], cursor: '1' });
    expect(sim.requests.at(-1)!.query).toEqual({ after: '0', limit: '100' });

    sim.setState(ref, 'in_progress');
    sim.setState(ref, 'completed', 'Bins emptied');
    const next = await a.pollUpdates!(first.cursor, { signal: signal() });
    expect(next.updates.map((u) => [u.updateId, u.status, u.description])).toEqual([
      ['2', 'in_progress', undefined],
      ['3', 'fixed', 'Bins emptied'],
    ]);
    expect(next.cursor).toBe('3');
    const again = await a.pollUpdates!(next.cursor, { signal: signal() });
    expect(again).toEqual({ updates: [], cursor: '3' });
  });

  it('keeps the previous cursor when the mapping gives none, and refuses an update the schema refuses, naming the mapping', async () => {
    const { a } = await instance({
      ...config(),
      poll: {
        method: 'GET',
        path: '/changes',
        query: '{ "after": $exists(cursor) ? cursor : "0" }',
        response: '{ "updates": [changes.{ "externalRef": requestId, "externalStatusCode": state }] }',
      },
    });
    expect(await a.pollUpdates!('7', { signal: signal() })).toEqual({ updates: [], cursor: '7' });
    await expect(a.pollUpdates!(undefined, { signal: signal() })).rejects.toMatchObject({
      classification: 'permanent',
      details: { mapping: '/poll/response' },
    });

    const { a: b } = await instance({
      ...config(),
      poll: {
        method: 'GET',
        path: '/changes',
        query: '{ "after": 0 }',
        response: '{ "updates": [changes.{ "externalRef": requestId, "updatedAt": "yesterday" }], "cursor": "1" }',
      },
    });
    await created(b);
    const error = await rejection(b.pollUpdates!(undefined, { signal: signal() }));
    expect(error).toMatchObject({ classification: 'permanent', details: { mapping: '/poll/response' } });
    expect(error.message).toContain('/updatedAt');
  });

  it('stops when its signal is aborted', async () => {
    const { a } = await instance(config());
    sim.faults.failNext(5, { timeout: true });
    const controller = new AbortController();
    const pending = a.pollUpdates!(undefined, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ classification: 'retryable' });
    sim.faults.clear();
  });
});

describe('check', () => {
  it('is ok when the configured request succeeds, and not ok when the back office is down', async () => {
    const { a } = await instance(config());
    await expect(a.check!({ signal: signal() })).resolves.toMatchObject({ ok: true });
    sim.faults.down();
    try {
      await expect(a.check!({ signal: signal() })).resolves.toMatchObject({ ok: false });
    } finally {
      sim.faults.up();
    }
  });

  it('is absent when the config has no check request (nothing to prove)', async () => {
    const c: RestAdapterConfig = config();
    delete c.check;
    const { a } = await instance(c);
    expect(a.check).toBeUndefined();
  });
});
