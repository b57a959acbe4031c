/**
 * The Fieldbook example under faults, through a running stack (durable SQLite store, delivery worker),
 * configured from the shipped examples/fieldbook.json with secrets from the environment: tokens
 * expiring mid-run, a 429 storm, maintenance, and answers lost after Fieldbook made the record. Each
 * test checks where every delivery ends up, what the attempt log says, and how many records
 * Fieldbook holds: every accepted transaction becomes exactly one record.
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
import { startFieldbookSimulator, FIELDBOOK_CLIENT_ID, FIELDBOOK_CLIENT_SECRET, type FieldbookSimulator } from '../src/testing';
import { fixture } from './helpers';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const example = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'examples', 'fieldbook.json'), 'utf8')) as Record<string, unknown>;
const bins = ['recycling-bin-out-not-emptied'];
const reports = ['pothole-with-coordinates', 'street-light-by-asset', 'fly-tipping-at-address'];
const bin = (i: number) =>
  createTransaction('waste.missedCollection', fixture('waste.missedCollection', bins[0]!) as never, {
    council: 'E07000223',
    channel: 'web',
    idempotencyKey: `rest-fault-bin-${i}`,
  });
const street = (i: number) =>
  createTransaction('street.report', fixture('street.report', reports[i % reports.length]!) as never, {
    council: 'E07000223',
    channel: 'web',
    idempotencyKey: `rest-fault-street-${i}`,
  });

let sim: FieldbookSimulator;
let dir: string;
let stack: RunningStack | undefined;

async function open(
  worker: Partial<Omit<DeliveryWorkerOptions, 'store' | 'targets'>> = {},
  secret = FIELDBOOK_CLIENT_SECRET,
): Promise<RunningStack> {
  const definition = await createStack(
    {
      council: 'E07000223',
      adapters: { fieldbook: { package: '@lgx/adapter-rest', config: { ...example, timeoutMs: 2000 } } },
      routes: [
        { match: { type: 'street.report' }, mode: 'one', targets: ['fieldbook'] },
        { match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['fieldbook'] },
      ],
    },
    { env: { FIELDBOOK_BASE_URL: sim.baseUrl, FIELDBOOK_TOKEN_URL: sim.tokenUrl, FIELDBOOK_CLIENT_ID, FIELDBOOK_CLIENT_SECRET: secret } },
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
const clientRefs = () => [...sim.state.requests.values()].map((r) => r.clientReference).filter((r): r is string => r !== undefined);

beforeAll(async () => {
  sim = await startFieldbookSimulator();
});
afterAll(() => sim.close());

beforeEach(() => {
  sim.reset();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-rest-faults-'));
});

afterEach(async () => {
  sim.setRequestsPerSecond(null);
  await stack?.close({ deadlineMs: 1000 });
  stack = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('Fieldbook under faults, through a running stack', () => {
  it('tokens expired mid-run: each delivery refreshes and goes through on its first attempt, with one new token', async () => {
    await open();
    const first = [(await stack!.submit(bin(0))).id, (await stack!.submit(street(0))).id];
    await waitFor(() => ended(first, 'delivered'), 'the first deliveries', 20_000);
    expect(sim.state.tokensIssued).toBe(1);
    sim.expireTokens();
    const later = [(await stack!.submit(bin(1))).id, (await stack!.submit(street(1))).id];
    await waitFor(() => ended(later, 'delivered'), 'the deliveries after expiry', 20_000);
    for (const id of later) expect(await attempts(id)).toEqual([['delivered', undefined]]);
    expect(sim.state.tokensIssued).toBe(2);
    expect(sim.state.requests.size).toBe(4);
  });

  it('client secret rotated: deliveries dead-letter as auth after one attempt; with the new secret a replay delivers each once', async () => {
    await open();
    sim.rotateClientSecret('fieldbook-rotated-secret-2222222222222222');
    const ids = [(await stack!.submit(bin(0))).id, (await stack!.submit(street(0))).id];
    await waitFor(() => ended(ids, 'dead'), 'the refused deliveries dead-lettered', 20_000);
    for (const id of ids) expect(await attempts(id)).toEqual([['failed', 'auth']]);
    const stored = JSON.stringify(await Promise.all(ids.map(view)));
    expect(stored).not.toContain('fieldbook-rotated');
    expect(stored).not.toContain(FIELDBOOK_CLIENT_SECRET.slice(0, 12));
    expect(sim.state.requests.size).toBe(0);

    await stack!.close({ deadlineMs: 1000 });
    await open({}, 'fieldbook-rotated-secret-2222222222222222');
    for (const d of await stack!.dlq.list({ target: 'fieldbook' }))
      expect(await stack!.dlq.replay(d.id, { actor: 'officer@council', reason: 'Fieldbook secret rotated' })).toBe(true);
    await waitFor(() => ended(ids, 'delivered'), 'the replayed deliveries', 20_000);
    expect(sim.state.requests.size).toBe(2);
  });

  it('429 storm: backs off by Retry-After, records rateLimited attempts, and makes exactly one record per transaction', async () => {
    // Four requests a second for four transactions (a street report takes a look-up and a create).
    sim.setRequestsPerSecond(4);
    await open();
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) ids.push((await stack!.submit(street(i))).id, (await stack!.submit(bin(i))).id);
    await waitFor(() => ended(ids, 'delivered'), 'four deliveries through the rate limit', 40_000);
    const logs = (await Promise.all(ids.map(attempts))).flat();
    const limited = logs.filter(([, classification]) => classification === 'rateLimited');
    expect(limited.length).toBeGreaterThanOrEqual(1);
    expect(logs.filter(([outcome]) => outcome === 'failed')).toEqual(limited);
    expect(sim.state.requests.size).toBe(4);
    // Street reports carry their LGX id as clientReference: each once.
    expect(clientRefs().sort()).toEqual(ids.filter((_, i) => i % 2 === 0).sort());
  }, 60_000);

  it('maintenance (503 with the delay in the body) is rateLimited by the error rule; deliveries go through when it ends', async () => {
    sim.startMaintenance(1);
    await open();
    const { id } = await stack!.submit(bin(0));
    await waitFor(async () => (await view(id)).deliveries[0]!.attemptLog.length > 0, 'a first attempt', 20_000);
    sim.endMaintenance();
    await waitFor(() => ended([id], 'delivered'), 'delivery after maintenance', 20_000);
    const log = await attempts(id);
    expect(log[0]).toEqual(['failed', 'rateLimited']);
    expect(log.at(-1)).toEqual(['delivered', undefined]);
    expect(sim.state.requests.size).toBe(1);
  });

  it.each([
    ['a look-up (street report)', street],
    ['Idempotency-Key (missed bin)', bin],
  ])('answer lost after Fieldbook made the record, deduplicated by %s: one record, and the receipt names it', async (_, make) => {
    sim.loseNextCreates(1);
    await open({ attemptTimeoutMs: 1000 });
    const { id } = await stack!.submit(make(0));
    await waitFor(() => ended([id], 'delivered'), 'delivery after the lost answer', 20_000);
    expect(await attempts(id)).toEqual([
      ['failed', 'retryable'],
      ['delivered', undefined],
    ]);
    expect(sim.state.requests.size).toBe(1);
    const [record] = [...sim.state.requests.values()];
    expect((await view(id)).deliveries[0]!.receipt?.externalRef).toBe(record!.id);
  });
});
