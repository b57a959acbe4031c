/**
 * Alloy faults through a running stack (durable SQLite store, delivery worker), as a council meets
 * them: the API key refused mid-run, a 429 storm, and an answer lost after Alloy created the item.
 * Each test checks where every delivery ends up, what the attempt log says, and how many items Alloy
 * holds: every accepted transaction becomes exactly one item.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTransaction } from '@lgx/core';
import {
  createSqliteStore,
  createStack,
  openStack,
  type DeliveryWorkerOptions,
  type RunningStack,
  type TransactionView,
} from '@lgx/runtime';
import { waitFor } from '@lgx/testkit';
import { alloyExampleConfig } from '../src';
import { startAlloySimulator, type AlloySimulator } from '../src/testing';
import { fixture } from './helpers';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const reports = ['pothole-with-coordinates', 'street-light-by-asset', 'fly-tipping-at-address'];
const tx = (i: number) =>
  createTransaction('street.report', fixture('street.report', reports[i % reports.length]!) as never, {
    council: 'E07000223',
    channel: 'web',
    idempotencyKey: `alloy-fault-${i}`,
  });

let sim: AlloySimulator;
let dir: string;
let stack: RunningStack | undefined;

async function open(key: string, worker: Partial<Omit<DeliveryWorkerOptions, 'store' | 'targets'>> = {}): Promise<RunningStack> {
  const config = { ...alloyExampleConfig(sim.apiUrl, '${env:ALLOY_API_KEY}'), timeoutMs: 2000 };
  const definition = await createStack(
    {
      council: 'E07000223',
      adapters: { alloy: { package: '@lgx/adapter-alloy', config } },
      routes: [{ match: { type: 'street.report' }, mode: 'one', targets: ['alloy'] }],
    },
    { env: { ALLOY_API_KEY: key } },
  );
  stack = await openStack(definition, {
    store: createSqliteStore({ file: path.join(dir, 'lgx.db') }),
    resolveFrom: repoRoot,
    polling: false,
    worker: {
      pollIntervalMs: 20,
      retry: { baseDelayMs: 10, maxDelayMs: 50, maxAttempts: 30 },
      random: () => 1,
      breaker: { threshold: 1000, cooldownMs: 10 },
      ...worker,
    },
  });
  return stack;
}

const view = async (id: string): Promise<TransactionView> => (await stack!.get(id))!;
const ended = async (ids: string[], state: 'delivered' | 'dead') =>
  (await Promise.all(ids.map(view))).every((v) => v.deliveries.every((d) => d.state === state));
const attempts = async (id: string) => (await view(id)).deliveries[0]!.attemptLog.map((a) => [a.outcome, a.classification]);

beforeAll(async () => {
  sim = await startAlloySimulator();
});
afterAll(() => sim.close());

beforeEach(() => {
  sim.reset();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-alloy-faults-'));
});

afterEach(async () => {
  sim.faults.clear();
  sim.setRequestsPerSecond(null);
  await stack?.close({ deadlineMs: 1000 });
  stack = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('Alloy under faults, through a running stack', () => {
  it('key refused mid-run: the rest dead-letter after one attempt each, creating nothing; with the new key, a replay delivers each once', async () => {
    const original = sim.apiKey;
    await open(original);
    const early: string[] = [];
    for (let i = 0; i < 3; i++) early.push((await stack!.submit(tx(i))).id);
    await waitFor(() => ended(early, 'delivered'), 'the first three deliveries', 20_000);

    // The council's key is rotated in Alloy; the stack still has the old one.
    sim.setApiKey('alloy-rotated-key-333333333333333');
    const late: string[] = [];
    for (let i = 3; i < 6; i++) late.push((await stack!.submit(tx(i))).id);
    await waitFor(() => ended(late, 'dead'), 'the refused deliveries dead-lettered', 20_000);
    for (const id of late) expect(await attempts(id)).toEqual([['failed', 'auth']]);
    expect(sim.state.items.size).toBe(3);

    // The council puts the new key in the stack and replays the dead letters.
    await stack!.close({ deadlineMs: 1000 });
    await open(sim.apiKey);
    const dead = await stack!.dlq.list({ target: 'alloy' });
    expect(dead.map((d) => d.transactionId).sort()).toEqual([...late].sort());
    for (const d of dead) expect(await stack!.dlq.replay(d.id, { actor: 'officer@council', reason: 'Alloy API key rotated' })).toBe(true);
    await waitFor(() => ended([...early, ...late], 'delivered'), 'the replayed deliveries', 20_000);
    expect(sim.state.items.size).toBe(6);
    const ids = new Set(sim.itemsOf().map((i) => Object.entries(i.attributes).find(([code]) => code.includes('LgxTransactionId'))![1]));
    expect(ids).toEqual(new Set([...early, ...late]));
    sim.setApiKey(original);
  });

  it('429 storm: backs off by Retry-After, records the attempts as rateLimited, and makes exactly one item per transaction', async () => {
    // Four requests a second for four transactions of two requests or more each.
    sim.setRequestsPerSecond(4);
    await open(sim.apiKey);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await stack!.submit(tx(i))).id);
    await waitFor(() => ended(ids, 'delivered'), 'four deliveries through the rate limit', 40_000);
    const logs = (await Promise.all(ids.map(attempts))).flat();
    const limited = logs.filter(([, classification]) => classification === 'rateLimited');
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(logs.filter(([outcome]) => outcome === 'failed')).toEqual(limited);
    expect(sim.state.items.size).toBe(4);
    const lgxIds = sim.itemsOf().map((i) => Object.entries(i.attributes).find(([code]) => code.includes('LgxTransactionId'))![1]);
    expect(new Set(lgxIds)).toEqual(new Set(ids));
  }, 60_000);

  it('answer lost after Alloy made the item: the retry finds it by its LGX id, so Alloy holds one item and the receipt names it', async () => {
    sim.loseNextCreates(1);
    await open(sim.apiKey, { attemptTimeoutMs: 1000 });
    const { id } = await stack!.submit(tx(0));
    await waitFor(() => ended([id], 'delivered'), 'delivery after the lost answer', 20_000);
    expect(await attempts(id)).toEqual([
      ['failed', 'retryable'],
      ['delivered', undefined],
    ]);
    expect(sim.state.items.size).toBe(1);
    expect(sim.requests.filter((r) => r.method === 'POST' && r.path === '/api/item')).toHaveLength(1);
    const [item] = sim.itemsOf();
    expect((await view(id)).deliveries[0]!.receipt?.externalRef).toBe(item!.itemId);
  });
});
