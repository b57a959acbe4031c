import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createSqliteStore, createStack, openStack, type RunningStack, type Store } from '@lgx/runtime';
import { createGateway, createMemoryKeyStore, type Gateway } from '../src';
import { API_KEY, startExampleWasteSimulator, type ExampleWasteSimulator } from '@lgx/adapter-template/testing';
import { waitFor } from '@lgx/testkit';
import { COUNCIL } from './helpers/gateway-harness';

/*
 * /v1/health reads the results of background checks: a back office that never answers cannot make it
 * slow. The hung back office is a real server that takes requests and never answers them.
 */

interface HungBackOffice {
  url: string;
  /** Requests received, by path. */
  received: Map<string, number>;
  /** Requests still waiting for an answer. */
  waiting(): number;
  close(): Promise<void>;
}

async function startHungBackOffice(): Promise<HungBackOffice> {
  const received = new Map<string, number>();
  const open = new Set<http.IncomingMessage>();
  const server = http.createServer((request) => {
    const route = (request.url ?? '').split('?')[0]!;
    received.set(route, (received.get(route) ?? 0) + 1);
    open.add(request);
    request.socket.on('close', () => open.delete(request));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    waiting: () => open.size,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

type Body = { status: string; councils: Record<string, { store: { ok: boolean }; adapters: Record<string, Record<string, unknown>> }> };

async function health(url: string, route = '/v1/health'): Promise<{ status: number; body: Body }> {
  const res = await fetch(`${url}${route}`);
  return { status: res.status, body: (await res.json()) as Body };
}

let root: string;
let waste: ExampleWasteSimulator;
let hung: HungBackOffice;
let stack: RunningStack;
let store: Store;
let storeHangs = false;
const gateways: Gateway[] = [];

beforeAll(async () => {
  root = mkdtempSync(path.join(__dirname, '.tmp-'));
  mkdirSync(path.join(root, 'node_modules'));
  cpSync(
    path.join(__dirname, 'fixtures', 'adapter-packages', 'lgx-adapter-test-hung'),
    path.join(root, 'node_modules', 'lgx-adapter-test-hung'),
    { recursive: true },
  );
  waste = await startExampleWasteSimulator();
  hung = await startHungBackOffice();
  const sqlite = createSqliteStore({ file: path.join(root, 'health.db') });
  // The same store, except that the health probe's query can be made to hang.
  store = new Proxy(sqlite, {
    get(target, name) {
      if (name === 'getCursor' && storeHangs) return () => new Promise(() => undefined);
      const value = Reflect.get(target, name) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  const definition = await createStack({
    council: COUNCIL,
    adapters: {
      waste: { package: '@lgx/adapter-template', config: { baseUrl: waste.url, apiKey: API_KEY } },
      // The same adapter against the hung back office: its check honours the abort signal.
      slow: { package: '@lgx/adapter-template', config: { baseUrl: hung.url, apiKey: API_KEY } },
      // A check that ignores its signal: it never returns.
      stuck: { package: 'lgx-adapter-test-hung', config: { baseUrl: hung.url } },
    },
    routes: [{ match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['waste'] }],
  });
  stack = await openStack(definition, { store, resolveFrom: root, polling: false });
});

afterEach(async () => {
  storeHangs = false;
  for (const gateway of gateways.splice(0)) await gateway.close();
});

afterAll(async () => {
  await stack.close();
  await waste.close();
  await hung.close();
  rmSync(root, { recursive: true, force: true });
});

async function serve(options: { healthCheckIntervalMs: number; healthCheckTimeoutMs: number }): Promise<string> {
  const gateway = createGateway({ stacks: [stack], keys: createMemoryKeyStore(), ...options });
  gateways.push(gateway);
  return gateway.listen();
}

describe('health with a hung back office', () => {
  it('answers at once while the checks hang: unknown before a first result, and never a second check on top of one in flight', async () => {
    const before = { slow: hung.received.get('/v1/health') ?? 0, stuck: hung.received.get('/hung-health') ?? 0 };
    // Checks every 50 ms that may take ten minutes: nothing about the hung adapters is known.
    const url = await serve({ healthCheckIntervalMs: 50, healthCheckTimeoutMs: 600_000 });
    await waitFor(
      async () => (await health(url)).body.councils[COUNCIL]!.adapters.waste!.status === 'ok',
      'the healthy back office checked',
    );
    await waitFor(
      () => (hung.received.get('/hung-health') ?? 0) > before.stuck && (hung.received.get('/v1/health') ?? 0) > before.slow,
      'both checks to reach the hung back office',
    );
    for (let i = 0; i < 20; i++) {
      const { status, body } = await health(url, i % 2 ? '/v1/health/ready' : '/v1/health');
      expect(status).toBe(200);
      expect(body.status).toBe('degraded');
      expect(body.councils[COUNCIL]!.store).toEqual({ ok: true });
      expect(body.councils[COUNCIL]!.adapters).toEqual({
        waste: expect.objectContaining({
          ok: true,
          status: 'ok',
          checkedAt: expect.any(String),
          ageMs: expect.any(Number),
          latencyMs: expect.any(Number),
        }),
        slow: { ok: false, status: 'unknown' },
        stuck: { ok: false, status: 'unknown' },
      });
    }
    // Twenty answers later the back office still holds both checks, and was sent no others.
    expect(hung.waiting()).toBeGreaterThanOrEqual(2);
    expect([hung.received.get('/v1/health'), hung.received.get('/hung-health')]).toEqual([before.slow + 1, before.stuck + 1]);
  });

  it('reports a check that times out as failing, and one that never returns as stale', async () => {
    const before = { slow: hung.received.get('/v1/health') ?? 0, stuck: hung.received.get('/hung-health') ?? 0 };
    const url = await serve({ healthCheckIntervalMs: 50, healthCheckTimeoutMs: 200 });
    await waitFor(async () => (await health(url)).body.councils[COUNCIL]!.adapters.stuck!.stale === true, 'the stuck check to go stale');
    const { status, body } = await health(url);
    expect([status, body.status]).toEqual([200, 'degraded']);
    const { slow, stuck, waste: healthy } = body.councils[COUNCIL]!.adapters;
    expect(healthy).toEqual(expect.objectContaining({ ok: true, status: 'ok' }));
    expect(stuck).toEqual(
      expect.objectContaining({
        ok: false,
        status: 'failing',
        error: 'timeout',
        stale: true,
        checkedAt: expect.any(String),
        ageMs: expect.any(Number),
      }),
    );
    expect(slow).toEqual(expect.objectContaining({ ok: false, status: 'failing', error: 'timeout' }));
    // The check that honours its signal is abandoned at each timeout and tried again; the one that
    // ignores it is never started a second time while the first still waits.
    await waitFor(() => (hung.received.get('/v1/health') ?? 0) >= before.slow + 2, 'a second check of the slow adapter');
    expect(hung.received.get('/hung-health')).toBe(before.stuck + 1);
  });

  it('answers 503 down, within its own deadline, when the store does not answer', async () => {
    const url = await serve({ healthCheckIntervalMs: 60_000, healthCheckTimeoutMs: 5_000 });
    storeHangs = true;
    const answers = await Promise.all([health(url), health(url, '/v1/health/ready')]);
    for (const { status, body } of answers) {
      expect(status).toBe(503);
      expect(body.status).toBe('down');
      expect(body.councils[COUNCIL]!.store).toEqual({ ok: false });
    }
    expect((await fetch(`${url}/v1/health/live`)).status).toBe(200);
  });
});
