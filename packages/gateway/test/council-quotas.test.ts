/**
 * Per-council quotas from the stack file, over HTTP with SQLite files and a real back office: over
 * the submit rate or the queue quota, a council's submissions get 429 with Retry-After and nothing is
 * stored; another council is not affected; refusals are counted in /metrics.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createTransaction, LgxValidationError } from '@lgx/core';
import { createSqliteStore, createStack, type StackConfig } from '@lgx/runtime';
import { loadFixtures } from '@lgx/testkit';
import { API_KEY, startExampleWasteSimulator, type ExampleWasteSimulator } from '@lgx/adapter-template/testing';
import { createApiKey, createMemoryKeyStore, startService, type Service } from '../src';

const A = 'E07000223';
const B = 'E08000025';
const missed = loadFixtures('waste.missedCollection', { kind: 'valid' })[0]!.data;

let sim: ExampleWasteSimulator;
let dir: string;
let service: Service;
const keys: Record<string, string> = {};

function config(council: string, quotas?: StackConfig['quotas']): StackConfig {
  return {
    council,
    adapters: { waste: { package: '@lgx/adapter-template', config: { baseUrl: sim.url, apiKey: API_KEY } } },
    routes: [{ match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['waste'] }],
    ...(quotas ? { quotas } : {}),
  };
}

let sent = 0;
async function submit(council: string): Promise<Response> {
  const envelope = createTransaction('waste.missedCollection', missed as never, {
    council,
    channel: 'web',
    idempotencyKey: `q-${(sent += 1)}`,
  });
  return fetch(`${service.url}/v1/transactions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${keys[council]}`, 'content-type': 'application/json' },
    body: JSON.stringify(envelope),
  });
}

async function count(council: string): Promise<number> {
  const stack = service.stacks.find((s) => s.definition.council === council)!;
  return (await stack.list({ limit: 100 })).length;
}

beforeAll(async () => {
  sim = await startExampleWasteSimulator();
});
afterAll(() => sim.close());
beforeEach(() => {
  dir = mkdtempSync(path.join(__dirname, '.tmp-'));
});
afterEach(async () => {
  await service?.stop();
  sim.faults.clear();
  rmSync(dir, { recursive: true, force: true });
});

async function start(quotas: StackConfig['quotas']): Promise<void> {
  const keyStore = createMemoryKeyStore();
  service = await startService([await createStack(config(A, quotas)), await createStack(config(B))], {
    store: (definition) => createSqliteStore({ file: path.join(dir, `${definition.council}.db`) }),
    keys: keyStore,
    polling: false,
    retention: false,
    healthCheckIntervalMs: 3_600_000,
  });
  for (const council of [A, B]) keys[council] = (await createApiKey(keyStore, { council, scopes: ['submit', 'read', 'admin'] })).key;
}

describe('council quotas', () => {
  it("refuses a council's submissions over its submit rate with 429 and Retry-After, stores nothing, and leaves other councils alone", async () => {
    await start({ submitsPerSecond: 0.5, burst: 3 });
    for (let i = 0; i < 3; i++) expect((await submit(A)).status).toBe(202);
    const refused = await submit(A);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const problem = (await refused.json()) as { code: string; detail: string };
    expect(problem.code).toBe('LGX_ERR_GATEWAY_QUOTA_EXCEEDED');
    expect(problem.detail).toMatch(/submit rate/);
    expect(await count(A)).toBe(3);
    for (let i = 0; i < 5; i++) expect((await submit(B)).status).toBe(202);
    const metrics = await (await fetch(`${service.url}/metrics`, { headers: { authorization: `Bearer ${keys[A]}` } })).text();
    expect(metrics).toContain(`lgx_quota_refusals_total{council="${A}",quota="submitRate"} 1`);
  });

  it("refuses a council's submissions once its queued deliveries reach the quota, counted from the store, and leaves other councils alone", async () => {
    await start({ maxQueued: 2, retryAfterSeconds: 4 });
    sim.faults.down();
    expect((await submit(A)).status).toBe(202);
    expect((await submit(A)).status).toBe(202);
    // The count is re-read at most every 200 ms.
    await new Promise((resolve) => setTimeout(resolve, 250));
    const refused = await submit(A);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('4');
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/2 deliveries queued \(quota 2\)/);
    expect(await count(A)).toBe(2);
    expect((await submit(B)).status).toBe(202);
  });

  it('refuses a stack whose quotas break a rule, naming the field', async () => {
    let thrown: unknown;
    try {
      await createStack(config(A, { submitsPerSecond: 10, burst: 0 }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LgxValidationError);
    expect((thrown as LgxValidationError).issues.map((i) => i.path)).toContain('/quotas/burst');
  });
});
