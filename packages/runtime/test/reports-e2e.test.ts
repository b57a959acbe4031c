/**
 * Transactions reports end to end, on SQLite and PostgreSQL: a known mix of transactions across
 * channels and months is accepted, delivered by a running stack to the Example Waste simulator (one
 * back office refuses everything: dead letters), journey starts and ratings are recorded, payloads are
 * purged, and the reports give the same expected figures on both stores, before and after a rebuild.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransaction, type Channel } from '@lgx/core';
import { loadFixtures } from '@lgx/testkit';
import { API_KEY, startExampleWasteSimulator, type ExampleWasteSimulator } from '@lgx/adapter-template/testing';
import { createPostgresStore, createSqliteStore, createStack, openStack, type RunningStack, type Store } from '../src';
import { withPostgres } from './helpers/postgres-suite';

const COUNCIL = 'E07000223';
const missed = loadFixtures('waste.missedCollection', { kind: 'valid' }).map((f) => f.data);
let seq = 0;

/** Stores a transaction as accepted at `at` (an earlier month), with one delivery to `target`. */
async function acceptedAt(
  store: Store,
  at: string,
  channel: Channel,
  target?: string,
  type = 'waste.missedCollection',
  data?: Record<string, unknown>,
): Promise<void> {
  const envelope = createTransaction(type as never, (data ?? structuredClone(missed[seq++ % missed.length])) as never, {
    council: COUNCIL,
    channel,
  });
  const deliveries = target ? [{ id: randomUUID(), target, mode: 'one' as const, order: 0, state: 'pending' as const }] : [];
  await store.insertTransaction({ envelope, deliveries, audit: { actor: 'key-test', action: 'transaction.accepted' }, now: new Date(at) });
}

async function settled(store: Store, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await store.queueDepth()).total > 0) {
    if (Date.now() > until) throw new Error(`deliveries still pending: ${JSON.stringify(await store.queueDepth())}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const JAN = { period: 'month', start_at: '2026-01-01', end_at: '2026-03-01' } as const;

/** Every report the test reads, as one object (compared across stores and with a rebuild). */
async function reports(stack: RunningStack): Promise<Record<string, unknown>> {
  const today = new Date().toISOString().slice(0, 10);
  return {
    byChannel: (await stack.report('transactions-by-channel', { ...JAN, group_by: ['channel'] })).data.map((r) => [
      r._timestamp,
      r.channel,
      r.count,
    ]),
    kpis: (await stack.report('service-kpis', { ...JAN, group_by: ['service'] })).data.map(
      ({ _id, end_at: _end, median_delivery_seconds, ...r }) => ({ ...r, timed: median_delivery_seconds !== null }),
    ),
    backOffices: (
      await stack.report('service-kpis', {
        ...JAN,
        group_by: ['back_office'],
        collect: ['delivered', 'dead', 'queued', 'delivery_success_rate', 'median_delivery_seconds'],
      })
    ).data.map((r) => [
      r._timestamp,
      r.back_office,
      r.delivered,
      r.dead,
      r.queued,
      r.delivery_success_rate,
      typeof r.median_delivery_seconds === 'number' && r.median_delivery_seconds >= 0,
    ]),
    quarter: (
      await stack.report('service-kpis', {
        period: 'quarter',
        start_at: '2026-01-01',
        end_at: '2026-04-01',
        collect: ['number_of_transactions', 'delivered'],
      })
    ).data.map((r) => [r._timestamp, r.number_of_transactions, r.delivered]),
    today: (await stack.report('transactions-by-channel', { period: 'day', start_at: today, end_at: `${today}T23:59:59Z` })).data.map(
      (r) => r.count,
    ),
  };
}

const EXPECTED = {
  byChannel: [
    ['2026-01-01T00:00:00+00:00', 'digital', 4],
    ['2026-01-01T00:00:00+00:00', 'telephone_human', 1],
    ['2026-02-01T00:00:00+00:00', 'digital', 1],
    ['2026-02-01T00:00:00+00:00', 'telephone_human', 2],
  ],
  kpis: [
    {
      _timestamp: '2026-01-01T00:00:00+00:00',
      period: 'month',
      council: COUNCIL,
      service: 'waste.missedCollection',
      number_of_transactions: 4,
      number_of_digital_transactions: 4,
      number_of_api_transactions: 0,
      digital_takeup: 1,
      total_cost: 0.6,
      cost_per_transaction: 0.15,
      digital_cost_per_transaction: 0.15,
      completion_rate: null,
      user_satisfaction_score: null,
      num_responses: 0,
      delivered: 4,
      dead: 1,
      queued: 0,
      delivery_success_rate: 0.8,
      data_coverage: 1,
      // Delivery times are kept per back office: no median per service.
      timed: false,
    },
    {
      _timestamp: '2026-02-01T00:00:00+00:00',
      period: 'month',
      council: COUNCIL,
      service: 'waste.missedCollection',
      number_of_transactions: 2,
      number_of_digital_transactions: 0,
      number_of_api_transactions: 0,
      digital_takeup: 0,
      total_cost: 5.66,
      cost_per_transaction: 2.83,
      digital_cost_per_transaction: null,
      completion_rate: 0,
      user_satisfaction_score: 0.875,
      num_responses: 2,
      delivered: 2,
      dead: 1,
      queued: 0,
      delivery_success_rate: 0.6667,
      data_coverage: 1,
      timed: false,
    },
  ],
  backOffices: [
    ['2026-01-01T00:00:00+00:00', 'waste', 4, 0, 0, 1, true],
    ['2026-01-01T00:00:00+00:00', 'waste-down', 0, 1, 0, 0, false],
    ['2026-02-01T00:00:00+00:00', 'waste', 2, 0, 0, 1, true],
    ['2026-02-01T00:00:00+00:00', 'waste-down', 0, 1, 0, 0, false],
  ],
  quarter: [['2026-01-01T00:00:00+00:00', 6, 6]],
  today: [1],
};

function describeReports(name: string, createStore: () => Store): void {
  describe(`transactions reports end to end (${name})`, () => {
    let up: ExampleWasteSimulator;
    let down: ExampleWasteSimulator;
    beforeAll(async () => {
      up = await startExampleWasteSimulator();
      down = await startExampleWasteSimulator();
      down.faults.failNext(1000, { status: 400, body: { error: 'invalid', message: 'Refused' } });
    });
    afterAll(async () => {
      await up.close();
      await down.close();
    });

    it('accepts and delivers a known mix, purges the payloads, and reports the expected figures; a rebuild agrees', async () => {
      const store = createStore();
      await store.migrate();
      // January: 3 web and 1 Open311 delivered, 1 phone refused. February: 2 phone delivered, 1 web
      // refused; 4 journeys started on the web; ratings 4 and 5.
      for (const channel of ['web', 'web', 'web', 'open311'] as const) await acceptedAt(store, '2026-01-15T10:00:00Z', channel, 'waste');
      await acceptedAt(store, '2026-01-20T10:00:00Z', 'phone', 'waste-down');
      await acceptedAt(store, '2026-02-10T10:00:00Z', 'phone', 'waste');
      await acceptedAt(store, '2026-02-28T23:59:59Z', 'phone', 'waste');
      await acceptedAt(store, '2026-02-11T10:00:00Z', 'web', 'waste-down');
      for (let i = 0; i < 4; i++)
        await acceptedAt(store, '2026-02-11T09:00:00Z', 'web', undefined, 'journey.started', { service: 'waste.missedCollection' });
      for (const rating of [4, 5])
        await acceptedAt(store, '2026-02-11T10:05:00Z', 'web', undefined, 'feedback.satisfaction', {
          service: 'waste.missedCollection',
          rating,
        });

      const definition = await createStack(
        {
          council: COUNCIL,
          adapters: {
            waste: { package: '@lgx/adapter-template', config: { baseUrl: up.url, apiKey: '${env:KEY}' } },
            'waste-down': { package: '@lgx/adapter-template', config: { baseUrl: down.url, apiKey: '${env:KEY}' } },
          },
          routes: [{ match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['waste'] }],
          reporting: { unitCosts: { 'waste.missedCollection': { web: 0.15, open311: 0.15, phone: 2.83 } } },
        },
        { env: { KEY: API_KEY } },
      );
      const stack = await openStack(definition, {
        store,
        polling: false,
        worker: { pollIntervalMs: 20, retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 20 } },
      });
      try {
        // Today, through the stack: one more web transaction, and a rating without a route.
        await stack.submit(
          createTransaction('waste.missedCollection', structuredClone(missed[0]) as never, { council: COUNCIL, channel: 'web' }),
        );
        await stack.submit(
          createTransaction('feedback.satisfaction' as never, { service: 'waste.missedCollection', rating: 2 } as never, {
            council: COUNCIL,
            channel: 'web',
          }),
        );
        await settled(store);
        expect(await store.purgePayloads(new Date(Date.now() + 86_400_000))).toBe(16);

        const before = await reports(stack);
        expect(before).toEqual(EXPECTED);
        expect(await stack.rebuildRollups({ actor: 'key-ops' })).toEqual({ transactions: 16 });
        expect(await reports(stack)).toEqual(before);
      } finally {
        await stack.close();
      }
    }, 60_000);
  });
}

const dir = mkdtempSync(join(tmpdir(), 'lgx-reports-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
describeReports('sqlite', () => createSqliteStore({ file: join(dir, `${randomUUID()}.db`) }));

withPostgres((connection) => {
  describeReports('postgres', () => createPostgresStore({ connectionString: connection(), schema: `e${randomUUID().slice(0, 8)}` }));
});
