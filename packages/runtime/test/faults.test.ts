/**
 * One test per vendor fault, through a running stack against the Example Waste simulator: each checks
 * where the delivery ends up AND what the attempt log says about every attempt (its classification),
 * since the log is what an officer reads when a case went missing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTransaction } from '@lgx/core';
import { loadFixtures, waitFor } from '@lgx/testkit';
import { createSqliteStore, createStack, openStack, type DeliveryWorkerOptions, type RunningStack, type TransactionView } from '../src';
import { stackInternals } from '../src/engine/stack-internals';
import { API_KEY, startExampleWasteSimulator, type ExampleWasteSimulator } from '@lgx/adapter-template/testing';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const missed = loadFixtures('waste.missedCollection', { kind: 'valid' }).map((f) => f.data);
const tx = (i: number) =>
  createTransaction('waste.missedCollection', structuredClone(missed[i % missed.length]) as never, {
    council: 'E07000223',
    channel: 'web',
    idempotencyKey: `fault-${i}`,
  });

let sim: ExampleWasteSimulator;
let dir: string;
let stack: RunningStack | undefined;
/** Real time plus an offset the breaker test moves forward, so a cooldown passes without waiting for it. */
let clockOffsetMs = 0;

type WorkerSettings = NonNullable<Parameters<typeof openStack>[1]['worker']>;

async function open(worker: Partial<Omit<DeliveryWorkerOptions, 'store' | 'targets'>> = {}, start = true): Promise<RunningStack> {
  const definition = await createStack(
    {
      council: 'E07000223',
      adapters: { waste: { package: '@lgx/adapter-template', config: { baseUrl: sim.url, apiKey: '${env:EXAMPLE_WASTE_KEY}' } } },
      routes: [{ match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['waste'] }],
    },
    { env: { EXAMPLE_WASTE_KEY: API_KEY } },
  );
  const settings: WorkerSettings = {
    pollIntervalMs: 20,
    // Small delays keep the suite fast; random() = 1 makes each delay its ceiling, so runs repeat.
    retry: { baseDelayMs: 10, maxDelayMs: 50, maxAttempts: 30 },
    random: () => 1,
    // Most tests are about one fault, not the breaker: keep it out of their way unless asked.
    breaker: { threshold: 1000, cooldownMs: 10 },
    now: () => new Date(Date.now() + clockOffsetMs),
    ...worker,
  };
  stack = await openStack(definition, {
    store: createSqliteStore({ file: path.join(dir, 'lgx.db') }),
    resolveFrom: repoRoot,
    worker: settings,
    start,
    polling: false,
  });
  return stack;
}

const view = async (id: string): Promise<TransactionView> => (await stack!.get(id))!;
const ended = (id: string, state: 'delivered' | 'dead') => async () => (await view(id)).deliveries.every((d) => d.state === state);
/** [attempt, outcome, classification] per attempt, the shape every test asserts on. */
const attempts = async (id: string) => (await view(id)).deliveries[0]!.attemptLog.map((a) => [a.attempt, a.outcome, a.classification]);
const vendorPosts = () => sim.requests.filter((r) => r.method === 'POST');

beforeAll(async () => {
  sim = await startExampleWasteSimulator();
});
afterAll(() => sim.close());

beforeEach(() => {
  sim.reset();
  clockOffsetMs = 0;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-faults-'));
});

afterEach(async () => {
  sim.faults.clear();
  await stack?.close({ deadlineMs: 1000 });
  stack = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('delivery under vendor faults', () => {
  it('rides out downtime: connection failures are retryable, and it delivers once the vendor is back', async () => {
    sim.faults.down();
    await open();
    const { id } = await stack!.submit(tx(0));
    await waitFor(async () => (await view(id)).deliveries[0]!.attempts >= 3, 'three failed attempts while down');
    sim.faults.up();
    await waitFor(ended(id, 'delivered'), 'delivery after downtime');
    const log = await attempts(id);
    expect(log.length).toBeGreaterThanOrEqual(4);
    expect(log.slice(0, -1).every(([, outcome, classification]) => outcome === 'failed' && classification === 'retryable')).toBe(true);
    expect(log.at(-1)).toEqual([log.length, 'delivered', undefined]);
    expect(sim.state.cases.size).toBe(1);
  });

  it('backs off a 429 storm by Retry-After, records the attempts as rateLimited, and delivers everything', async () => {
    // Two requests a second for six transactions: most first attempts meet a 429 with Retry-After: 1.
    sim.faults.rateLimit({ limit: 2, windowMs: 1000, retryAfterSeconds: 1 });
    await open();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await stack!.submit(tx(i))).id);
    await waitFor(
      async () => (await Promise.all(ids.map((id) => ended(id, 'delivered')()))).every(Boolean),
      'six deliveries through the rate limit',
      20_000,
    );
    const logs = await Promise.all(ids.map(attempts));
    const limited = logs.flat().filter(([, , classification]) => classification === 'rateLimited');
    expect(limited.length).toBeGreaterThanOrEqual(1);
    // Nothing but rate limits failed, and every attempt the vendor refused is in a log.
    expect(logs.flat().filter(([, outcome]) => outcome === 'failed')).toEqual(limited);
    expect(limited).toHaveLength(sim.requests.filter((r) => r.outcome === 'rate-limited').length);
    for (const log of logs) expect(log.at(-1)).toEqual([log.length, 'delivered', undefined]);
    expect(sim.state.cases.size).toBe(6);
  });

  it('gives up on an attempt that hangs at its deadline, as retryable, and delivers on the next', async () => {
    sim.faults.failNext(1, { timeout: true });
    await open({ attemptTimeoutMs: 300 });
    const { id } = await stack!.submit(tx(0));
    await waitFor(ended(id, 'delivered'), 'delivery after a timeout');
    expect(await attempts(id)).toEqual([
      [1, 'failed', 'retryable'],
      [2, 'delivered', undefined],
    ]);
  });

  it('treats a malformed response as retryable and delivers on the next attempt', async () => {
    sim.faults.failNext(1, { malformed: true });
    await open();
    const { id } = await stack!.submit(tx(0));
    await waitFor(ended(id, 'delivered'), 'delivery after a malformed response');
    expect(await attempts(id)).toEqual([
      [1, 'failed', 'retryable'],
      [2, 'delivered', undefined],
    ]);
  });

  it('dead-letters a permanent rejection (400) after exactly one attempt', async () => {
    sim.faults.failNext(1, { status: 400, body: { error: { code: 'INVALID_SERVICE', message: 'unknown service' } } });
    await open();
    const { id } = await stack!.submit(tx(0));
    await waitFor(ended(id, 'dead'), 'dead letter');
    expect(await attempts(id)).toEqual([[1, 'failed', 'permanent']]);
    expect((await view(id)).deliveries[0]).toMatchObject({ state: 'dead', attempts: 1, lastError: { classification: 'permanent' } });
    expect(vendorPosts()).toHaveLength(1);
  });

  it('dead-letters an auth failure (401) after one attempt', async () => {
    sim.faults.failNext(1, { status: 401, body: { error: 'unauthorised' } });
    await open();
    const { id } = await stack!.submit(tx(0));
    await waitFor(ended(id, 'dead'), 'dead letter');
    expect(await attempts(id)).toEqual([[1, 'failed', 'auth']]);
    expect(vendorPosts()).toHaveLength(1);
  });

  it('opens the circuit after the threshold, calls the target no more until the cooldown, then sends one probe', async () => {
    sim.faults.failNext(4, { status: 503 });
    // A long cooldown on the worker's clock, which the test moves on: no timing in the assertions.
    // Retries 5 s out on that clock too, so none can go out before all three failures are in, however
    // slow the machine; the test moves the clock to make them due.
    await open(
      {
        breaker: { threshold: 3, cooldownMs: 60_000 },
        retry: { baseDelayMs: 5000, maxDelayMs: 5000, maxAttempts: 30 },
        concurrency: 8,
        perTarget: 4,
      },
      false,
    );
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await stack!.submit(tx(i))).id);
    // All three go out in one batch, so no retry is already in flight when the third failure opens the circuit.
    stack!.start();
    await waitFor(
      async () => (await Promise.all(ids.map(async (id) => (await view(id)).deliveries[0]!.attempts))).every((n) => n >= 1),
      'three recorded failures',
    );
    // Open: every delivery is due, yet the worker leaves the target alone.
    clockOffsetMs += 10_000;
    await new Promise((r) => setTimeout(r, 400));
    expect(vendorPosts()).toHaveLength(3);

    // Half-open: exactly one probe, although three deliveries are due; it fails and the circuit reopens.
    clockOffsetMs += 60_000;
    await waitFor(
      async () => (await Promise.all(ids.map(async (id) => (await view(id)).deliveries[0]!.attempts))).reduce((a, b) => a + b) >= 4,
      'the first probe recorded',
    );
    clockOffsetMs += 10_000;
    await new Promise((r) => setTimeout(r, 400));
    expect(vendorPosts()).toHaveLength(4);

    // The next probe succeeds, the circuit closes, and the rest follow.
    clockOffsetMs += 60_000;
    await waitFor(
      async () => (await Promise.all(ids.map((id) => ended(id, 'delivered')()))).every(Boolean),
      'deliveries after the circuit closed',
    );
    expect(vendorPosts()).toHaveLength(7);
    const logs = await Promise.all(ids.map(attempts));
    expect(logs.flat().filter(([, outcome]) => outcome === 'failed')).toEqual(
      Array.from({ length: 4 }, () => [expect.any(Number), 'failed', 'retryable']),
    );
    expect(logs.flat().filter(([, outcome]) => outcome === 'delivered')).toHaveLength(3);
  });

  it('lets the next probe through when a probe is rejected for a reason that says nothing of the target', async () => {
    sim.faults.failNext(1, { status: 503 });
    await open({ breaker: { threshold: 1, cooldownMs: 60_000 } });
    const first = await stack!.submit(tx(0));
    // The attempt is recorded after the breaker heard of it, so the clock moves only once the circuit is open.
    await waitFor(async () => (await view(first.id)).deliveries[0]!.attempts >= 1, 'the failure that opens the circuit');
    // The probe meets a permanent rejection: that delivery is dead, and the circuit must not stay stuck.
    sim.faults.failNext(1, { status: 400, body: { error: { code: 'INVALID_SERVICE', message: 'unknown service' } } });
    clockOffsetMs += 60_000;
    await waitFor(ended(first.id, 'dead'), 'the rejected probe');
    const second = await stack!.submit(tx(1));
    await waitFor(ended(second.id, 'delivered'), 'a delivery after the rejected probe');
    expect(await attempts(first.id)).toEqual([
      [1, 'failed', 'retryable'],
      [2, 'failed', 'permanent'],
    ]);
    expect(await attempts(second.id)).toEqual([[1, 'delivered', undefined]]);
  });
});

describe('rate budget', () => {
  it('keeps a target under its per-second budget, bursting up to the limit', async () => {
    // One token every 10 s on the worker's clock, which the test moves: no real waiting.
    const s = await open({ rateBudgets: { waste: { perSecond: 0.1, burst: 2 } } }, false);
    for (let i = 0; i < 5; i++)
      await s.submit(
        createTransaction('waste.missedCollection', structuredClone(missed[i % missed.length]) as never, {
          council: 'E07000223',
          idempotencyKey: `budget-${i}`,
        }),
      );
    expect(await stackInternals(s).worker.runOnce()).toBe(2);
    expect(await stackInternals(s).worker.runOnce()).toBe(0);
    clockOffsetMs += 10_000;
    expect(await stackInternals(s).worker.runOnce()).toBe(1);
    clockOffsetMs += 20_000;
    expect(await stackInternals(s).worker.runOnce()).toBe(2);
    expect(vendorPosts()).toHaveLength(5);
  });
});
