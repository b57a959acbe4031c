import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createSqliteStore, createStack, type StackDefinition } from '@lgx/runtime';
import { API_KEY, progressCase, startExampleWasteSimulator, type ExampleWasteSimulator } from '@lgx/adapter-template/testing';
import { createApiKey, startService, type Service } from '../src';
import { waitFor } from '@lgx/testkit';

/*
 * startService: a stack, its gateway, status polling and retention as one service, and the one stop
 * order: stop accepting, finish the requests in flight, stop polling and retention, finish (or
 * release) the deliveries in flight, close the adapters, close the store.
 */

const COUNCIL = 'E07000223';
const missedBin = { type: 'waste.missedCollection', data: { uprn: '100023336956', service: 'refuse', scheduledDate: '2026-11-20' } };

let sim: ExampleWasteSimulator;
let dir: string;
const running: Service[] = [];

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  json: Record<string, unknown>;
}

function request(url: string, options: { method?: string; key?: string; body?: unknown; agent?: http.Agent } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = {
      ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    };
    const req = http.request(url, { method: options.method ?? 'GET', headers, agent: options.agent ?? new http.Agent() }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const calls = (p: string) => sim.requests.filter((r) => r.path.endsWith(p)).length;

async function wasteStack(council = COUNCIL): Promise<StackDefinition> {
  return createStack({
    council,
    adapters: { waste: { package: '@lgx/adapter-template', config: { baseUrl: sim.url, apiKey: API_KEY } } },
    routes: [
      { match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['waste'] },
      { match: { type: 'waste.collectionSchedule' }, mode: 'one', targets: ['waste'] },
    ],
  });
}

/** A service on the test's data folder; stopped after the test if the test has not stopped it. */
async function start(options: Parameters<typeof startService>[1] = {}, stack?: StackDefinition | string): Promise<Service> {
  const service = await startService(stack ?? (await wasteStack()), {
    dataDir: dir,
    healthCheckIntervalMs: 3_600_000,
    worker: { pollIntervalMs: 20 },
    ...options,
  });
  running.push(service);
  return service;
}

/** The same data folder opened again, delivering and polling nothing: what the stop left behind. */
async function afterwards(): Promise<Service> {
  return start({ start: false, polling: false, retention: false });
}

beforeAll(async () => {
  sim = await startExampleWasteSimulator();
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.reset();
  dir = mkdtempSync(path.join(__dirname, '.tmp-service-'));
});
afterEach(async () => {
  for (const service of running.splice(0)) await service.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('startService', () => {
  it('serves the stack on a URL with the keys of its data folder, and polls status by itself', async () => {
    const service = await start({ polling: { intervalMs: 50 } });
    expect(service.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const key = (await createApiKey(service.keys, { council: COUNCIL, scopes: ['submit', 'read'] })).key;
    const accepted = await request(`${service.url}/v1/transactions`, { method: 'POST', key, body: missedBin });
    expect(accepted.status).toBe(202);
    const id = accepted.json.id as string;
    await waitFor(async () => (await service.stack.get(id))?.deliveries[0]?.state === 'delivered', 'the delivery');
    progressCase(sim, (await service.stack.get(id))!.deliveries[0]!.receipt!.externalRef, 'scheduled');
    // Nobody started a poller: the service did.
    const statuses = async () =>
      ((await request(`${service.url}/v1/transactions/${id}`, { key })).json.statusHistory as Array<{ status: string }>).map(
        (u) => u.status,
      );
    await waitFor(async () => (await statuses()).includes('action_scheduled'), 'the status change to come back');
  });

  it('stops in order: a request in flight completes, a new one gets 503, the delivery in flight finishes, polling makes no call after the stop and the store closes last', async () => {
    const service = await start({ polling: { intervalMs: 20 } });
    const key = (await createApiKey(service.keys, { council: COUNCIL, scopes: ['submit', 'read'] })).key;
    await waitFor(() => calls('/v1/changes') >= 2, 'the service to poll');
    // Every answer from the back office now takes a second and a half.
    sim.faults.latency(1500);
    const accepted = await request(`${service.url}/v1/transactions`, { method: 'POST', key, body: missedBin });
    expect(accepted.status).toBe(202);
    await waitFor(() => calls('/v1/missed-collections') === 1, 'the delivery to reach the back office');
    const query = request(`${service.url}/v1/queries/waste.collectionSchedule`, { method: 'POST', key, body: { uprn: '100023336956' } });
    await waitFor(() => calls('/collections') === 1, 'the query to reach the back office');
    const idle = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect((await request(`${service.url}/v1/health/live`, { agent: idle })).status).toBe(200);

    const stopping = service.stop(20_000);
    const refused = await request(`${service.url}/v1/transactions`, { method: 'POST', key, body: missedBin, agent: idle });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.json.code).toBe('LGX_ERR_GATEWAY_STOPPING');
    expect((await query).status).toBe(200);
    await stopping;
    idle.destroy();
    sim.faults.latency(0);

    const polls = calls('/v1/changes');
    await new Promise((r) => setTimeout(r, 300));
    expect(calls('/v1/changes')).toBe(polls);
    // The store is closed: the stopped stack can read nothing more.
    await expect(service.stack.get(accepted.json.id as string)).rejects.toThrow(/not open|closed/i);
    // It closed last: the delivery's outcome, recorded after the gateway and polling had stopped, is in it.
    const view = await (await afterwards()).stack.get(accepted.json.id as string);
    expect(view!.deliveries).toEqual([expect.objectContaining({ state: 'delivered', attempts: 1 })]);
    expect(view!.deliveries[0]!.leaseOwner).toBeUndefined();
    expect(sim.state.cases.size).toBe(1);
  });

  it('at the deadline releases a delivery the back office holds, and the next start delivers it', async () => {
    const service = await start({ polling: false });
    const key = (await createApiKey(service.keys, { council: COUNCIL, scopes: ['submit'] })).key;
    // The back office never answers the first delivery (after the gateway's first health check, which
    // would otherwise take the fault).
    await waitFor(() => calls('/v1/health') === 1, 'the first health check');
    sim.faults.failNext(1, { timeout: true });
    const accepted = await request(`${service.url}/v1/transactions`, { method: 'POST', key, body: missedBin });
    await waitFor(() => calls('/v1/missed-collections') === 1, 'the delivery to reach the back office');
    await service.stop(300);

    const id = accepted.json.id as string;
    const reopened = await afterwards();
    expect((await reopened.stack.get(id))!.deliveries).toEqual([expect.objectContaining({ state: 'pending' })]);
    expect((await reopened.stack.get(id))!.deliveries[0]!.leaseOwner).toBeUndefined();
    await reopened.stop();

    const next = await start({ polling: false });
    await waitFor(async () => (await next.stack.get(id))?.deliveries[0]?.state === 'delivered', 'the released delivery to be delivered');
  });

  it('runs several councils through one gateway, each on its own store, and stops them all', async () => {
    const two = await startService([await wasteStack(), await wasteStack('E08000025')], {
      store: (stack) => createSqliteStore({ file: path.join(dir, `${stack.council}.db`) }),
      polling: { intervalMs: 20 },
      healthCheckIntervalMs: 3_600_000,
    });
    running.push(two);
    expect(two.stacks.map((s) => s.definition.council)).toEqual([COUNCIL, 'E08000025']);
    const other = (await createApiKey(two.keys, { council: 'E08000025', scopes: ['submit', 'read'] })).key;
    const mine = (await createApiKey(two.keys, { council: COUNCIL, scopes: ['read'] })).key;
    const accepted = await request(`${two.url}/v1/transactions`, { method: 'POST', key: other, body: missedBin });
    expect(accepted.status).toBe(202);
    expect((await two.stacks[1]!.get(accepted.json.id as string))?.transaction.council).toBe('E08000025');
    expect((await request(`${two.url}/v1/transactions/${accepted.json.id as string}`, { key: mine })).status).toBe(404);
    await waitFor(() => calls('/v1/changes') >= 4, 'both stacks to poll');
    await two.stop();
    const polls = calls('/v1/changes');
    await new Promise((r) => setTimeout(r, 200));
    expect(calls('/v1/changes')).toBe(polls);
    for (const stack of two.stacks) await expect(stack.get(accepted.json.id as string)).rejects.toThrow(/not open|closed/i);
  });

  it('loads a stack file, resolving its adapters from the file’s folder', async () => {
    const file = path.join(dir, 'lgx.yaml');
    writeFileSync(
      file,
      [
        'council: E07000223',
        'adapters:',
        '  waste:',
        "    package: '@lgx/adapter-template'",
        '    config:',
        `      baseUrl: ${sim.url}`,
        '      apiKey: ${env:LGX_TEST_WASTE_KEY}',
        'routes:',
        '  - { match: { type: waste.missedCollection }, mode: one, targets: [waste] }',
        '',
      ].join('\n'),
    );
    process.env.LGX_TEST_WASTE_KEY = API_KEY;
    try {
      const service = await start({ dataDir: path.join(dir, 'data'), polling: false }, file);
      expect(service.stack.definition.council).toBe(COUNCIL);
      expect([...service.stack.adapters.keys()]).toEqual(['waste']);
    } finally {
      delete process.env.LGX_TEST_WASTE_KEY;
    }
  });

  it('refuses unclear storage with an error naming the options, and stops what it started when it cannot listen', async () => {
    const definition = await wasteStack();
    await expect(startService(definition, {})).rejects.toThrow('startService: give exactly one of store, database or dataDir');
    await expect(startService(definition, { dataDir: dir, database: 'postgres://127.0.0.1/lgx' })).rejects.toThrow(
      '(got database, dataDir)',
    );
    await expect(startService([definition, await wasteStack('E08000025')], { dataDir: dir })).rejects.toThrow('2 stacks need a store each');
    await expect(startService(definition, { dataDir: dir, retention: { days: -1 } })).rejects.toThrow(
      'retention.days must be a number of days, 0 or more',
    );

    const first = await start({ polling: false });
    const port = Number(new URL(first.url).port);
    const store = createSqliteStore({ file: path.join(dir, 'second.db') });
    await expect(startService(definition, { store, port, polling: { intervalMs: 20 } })).rejects.toThrow(/EADDRINUSE/);
    // Nothing of the failed start keeps running: no polling, and its store is closed.
    const polls = calls('/v1/changes');
    await new Promise((r) => setTimeout(r, 200));
    expect(calls('/v1/changes')).toBe(polls);
    await expect(store.getCursor('x')).rejects.toThrow(/not open|closed/i);
  });
});
