import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createLogger, createTransaction, UnsupportedError, type AdapterInstance, type LogEntry } from '@lgx/core';
import { loadFixtures } from '@lgx/testkit';
import { API_KEY, progressCase, startExampleWasteSimulator, type ExampleWasteSimulator } from '@lgx/adapter-template/testing';
import Database from 'better-sqlite3';
import pg from 'pg';
import {
  createPostgresStore,
  createSqliteStore,
  createStack,
  openStack,
  StatusEvents,
  StatusPoller,
  verifyWebhookSignature,
  type RunningStack,
  type StatusRefreshOptions,
  type Store,
  type StoredStatusUpdate,
} from '../src';
import { postgresRefreshQueries } from '../src/store/postgres-refresh-queries';
import { SQLITE_REFRESH_QUERIES } from '../src/store/sqlite-refresh-queries';
import { stackInternals } from '../src/engine/stack-internals';
import { postgresAvailability, startPostgresServer, type PostgresServer } from './helpers/postgres-server';
import { fillRefreshBacklogPostgres, fillRefreshBacklogSqlite, REFRESH_BACKLOG_AT } from './helpers/refresh-backlog';

/**
 * Status for adapters with getStatus and no pollUpdates: the status poller asks the back office about
 * open cases on a schedule. The adapter is the template's Example Waste adapter without its change
 * feed (a package in the fixtures), against the Example Waste simulator on 127.0.0.1.
 */

const COUNCIL = 'E07000223';
const SECRET = 'whsec-refresh-test-0001';
const missed = loadFixtures('waste.missedCollection', { kind: 'valid' }).map((f) => f.data);
let seq = 0;
const tx = () =>
  createTransaction('waste.missedCollection', structuredClone(missed[seq % missed.length]) as never, {
    council: COUNCIL,
    channel: 'web',
    idempotencyKey: `refresh-${seq++}`,
  });

let sim: ExampleWasteSimulator;
let root: string;
let hooks: { url: string; received: Array<{ body: string; signature: string | undefined }>; close: () => Promise<void> };

async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function startHookReceiver(): Promise<typeof hooks> {
  const received: Array<{ body: string; signature: string | undefined }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ body, signature: req.headers['lgx-signature'] as string | undefined });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/lgx`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

beforeAll(async () => {
  sim = await startExampleWasteSimulator();
  hooks = await startHookReceiver();
  // Inside the repository, so the fake package finds @lgx/core and the template the way an installed one would.
  root = fs.mkdtempSync(path.join(__dirname, '.tmp-refresh-'));
  fs.cpSync(
    path.join(__dirname, 'fixtures', 'adapter-packages', 'lgx-adapter-case-status'),
    path.join(root, 'node_modules', '@acme', 'lgx-adapter-case-status'),
    { recursive: true },
  );
});
afterAll(async () => {
  await sim.close();
  await hooks.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** GET /v1/cases/<ref> calls the simulator has had. */
const lookups = (ref?: string) =>
  sim.requests.filter((r) => r.method === 'GET' && (ref === undefined ? r.path.startsWith('/v1/cases/') : r.path === `/v1/cases/${ref}`))
    .length;

function describeRefresh(name: string, openStore: () => Promise<Store>): void {
  describe(`status refresh (${name})`, () => {
    let stack: RunningStack;
    let events: StatusEvents;
    let heard: StoredStatusUpdate[];
    let clock: number;
    const pollers: StatusPoller[] = [];
    const now = () => new Date(clock);

    beforeEach(async () => {
      sim.reset();
      hooks.received.length = 0;
      events = new StatusEvents();
      heard = [];
      events.on('statusUpdate', (u) => heard.push(u));
      const definition = await createStack(
        {
          council: COUNCIL,
          adapters: { cases: { package: '@acme/lgx-adapter-case-status', config: { baseUrl: sim.url, apiKey: '${env:KEY}' } } },
          routes: [{ match: { type: 'waste.missedCollection' }, mode: 'one', targets: ['cases'] }],
        },
        { env: { KEY: API_KEY } },
      );
      stack = await openStack(definition, {
        store: await openStore(),
        resolveFrom: root,
        events,
        webhooks: [{ id: 'crm', url: hooks.url, secret: SECRET }],
        worker: { pollIntervalMs: 20, retry: { baseDelayMs: 10, maxDelayMs: 20 }, random: () => 1 },
        // The tests run their own pollers on a clock they move; the stack's own would check on the real one.
        polling: false,
      });
    });
    afterEach(async () => {
      await Promise.all(pollers.splice(0).map((p) => p.stop()));
      await stack.close({ closeStore: true });
    });

    function poller(
      refresh: StatusRefreshOptions | false,
      options: { logger?: ReturnType<typeof createLogger>; intervalMs?: number; clock?: boolean } = {},
    ): StatusPoller {
      const p = new StatusPoller({
        store: stackInternals(stack).store,
        adapters: stack.adapters,
        events,
        refresh,
        ...(options.intervalMs ? { intervalMs: options.intervalMs } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
        ...(options.clock === false ? {} : { now }),
      });
      pollers.push(p);
      return p;
    }

    /** Submits `count` transactions and waits until each is delivered; the clock starts at the last delivery. */
    async function deliver(count: number): Promise<Array<{ id: string; ref: string }>> {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) ids.push((await stack.submit(tx())).id);
      const out: Array<{ id: string; ref: string }> = [];
      for (const id of ids) {
        await waitFor(async () => (await stack.get(id))?.deliveries[0]?.state === 'delivered', 'delivery');
        out.push({ id, ref: (await stack.get(id))!.deliveries[0]!.receipt!.externalRef });
      }
      clock = Date.now();
      return out;
    }

    const statuses = async (id: string) => (await stack.get(id))!.statusUpdates.map((u) => u.update.status);

    it('reports the status changes of an adapter with only submit and getStatus through a running stack: stored, emitted and sent to webhooks', async () => {
      const [{ id, ref }] = (await deliver(1)) as [{ id: string; ref: string }];
      // Real time, short waits: the poller runs on its interval as a service would run it.
      poller({ firstAfterMs: 10, maxDelayMs: 40 }, { intervalMs: 20, clock: false }).start();
      await waitFor(async () => (await statuses(id)).length === 1, 'the first status');
      progressCase(sim, ref, 'scheduled', 'Crew booked for Thursday');
      await waitFor(async () => (await statuses(id)).length === 2, 'the change');
      const updates = (await stack.get(id, { personalData: true }))!.statusUpdates;
      expect(updates.map((u) => [u.target, u.transactionId, u.update.externalRef, u.update.status, u.update.externalStatusCode])).toEqual([
        ['cases', id, ref, 'open', 'logged'],
        ['cases', id, ref, 'action_scheduled', 'scheduled'],
      ]);
      expect(updates[1]!.update.description).toBe('Crew booked for Thursday');
      expect(heard.map((u) => u.id)).toEqual(updates.map((u) => u.id));
      await waitFor(() => hooks.received.length === 2, 'two webhooks');
      const bodies = hooks.received.map((h) => JSON.parse(h.body) as { sentFor: string; update: { status: string } });
      expect(bodies.map((b) => [b.sentFor, b.update.status]).sort()).toEqual([
        [id, 'action_scheduled'],
        [id, 'open'],
      ]);
      for (const h of hooks.received) expect(verifyWebhookSignature(h.body, h.signature, SECRET)).toBe(true);
      // Asked again while the case stays open, and the repeats stored nothing.
      const asked = lookups(ref);
      await waitFor(() => lookups(ref) >= asked + 2, 'more checks of the open case');
      expect(await statuses(id)).toEqual(['open', 'action_scheduled']);
    });

    it('backs off while nothing changes, comes back to the first wait after a change, and stops asking at a final status', async () => {
      const [{ id, ref }] = (await deliver(1)) as [{ id: string; ref: string }];
      const p = poller({ firstAfterMs: 60_000, maxDelayMs: 300_000 });
      const round = async (advanceMs: number) => {
        clock += advanceMs;
        await p.pollOnce();
        return lookups(ref);
      };
      expect(await round(59_000)).toBe(0); // not yet a minute since delivery
      expect(await round(2_000)).toBe(1);
      expect(await statuses(id)).toEqual(['open']);
      expect(await round(59_000)).toBe(1); // a change: the next check a minute later
      expect(await round(1_000)).toBe(2);
      expect(await round(119_000)).toBe(2); // unchanged: the wait doubles to two minutes
      expect(await round(1_000)).toBe(3);
      expect(await round(240_000)).toBe(4); // unchanged again: four minutes
      expect(await round(300_000)).toBe(5); // capped at five
      expect(await statuses(id)).toEqual(['open']);
      progressCase(sim, ref, 'completed');
      expect(await round(300_000)).toBe(6);
      expect(await statuses(id)).toEqual(['open', 'fixed']);
      // Fixed is final: never asked again.
      expect(await round(86_400_000)).toBe(6);
      expect(await round(86_400_000)).toBe(6);
      expect(heard.map((u) => u.update.status)).toEqual(['open', 'fixed']);
    });

    it("keeps to each target's budget: at most that many getStatus calls per window, however many cases are open, shared by every poller on the store", async () => {
      await deliver(7);
      const budget = { calls: 3, windowMs: 60_000 };
      const first = poller({ firstAfterMs: 1000, budget, concurrency: 2 });
      const second = poller({ firstAfterMs: 1000, budget, concurrency: 2 });
      clock += 2000;
      await Promise.all([first.pollOnce(), second.pollOnce()]);
      expect(lookups()).toBe(3);
      clock += 59_000;
      await first.pollOnce();
      expect(lookups()).toBe(3);
      clock += 1000;
      await Promise.all([first.pollOnce(), second.pollOnce()]);
      expect(lookups()).toBe(6);
      clock += 60_000;
      await first.pollOnce();
      expect(lookups()).toBe(9);
      // Each case was asked about once before any was asked about twice: the oldest due go first.
      const asked = sim.requests.filter((r) => r.path.startsWith('/v1/cases/')).map((r) => r.path);
      expect(new Set(asked.slice(0, 7)).size).toBe(7);
    });

    it('stores no status when the back office answers 404, and asks again later; a 503 backs off the same way', async () => {
      const [{ id, ref }] = (await deliver(1)) as [{ id: string; ref: string }];
      const logs: LogEntry[] = [];
      const p = poller(
        { firstAfterMs: 60_000, maxDelayMs: 3_600_000 },
        { logger: createLogger({ sink: (e) => logs.push(e), level: 'debug', secrets: [API_KEY] }) },
      );
      const record = sim.state.cases.get(ref)!;
      sim.state.cases.delete(ref);
      clock += 61_000;
      expect(await p.pollOnce()).toBe(0);
      expect(lookups(ref)).toBe(1);
      expect(await statuses(id)).toEqual([]);
      expect(logs).toEqual([expect.objectContaining({ level: 'warn', target: 'cases', classification: 'notFound' })]);
      expect(JSON.stringify(logs)).not.toContain(API_KEY);
      // Backed off: two minutes, not one.
      clock += 60_000;
      await p.pollOnce();
      expect(lookups(ref)).toBe(1);
      sim.faults.failNext(1, { status: 503 });
      clock += 60_000;
      expect(await p.pollOnce()).toBe(0);
      expect(lookups(ref)).toBe(2);
      expect(logs.at(-1)).toEqual(expect.objectContaining({ level: 'warn', classification: 'retryable' }));
      sim.state.cases.set(ref, record);
      clock += 239_000;
      await p.pollOnce();
      expect(lookups(ref)).toBe(2);
      clock += 1000;
      expect(await p.pollOnce()).toBe(1);
      expect(await statuses(id)).toEqual(['open']);
    });

    it('stops asking a target for the round when it rate-limits, and waits out its Retry-After for that case', async () => {
      const cases = await deliver(3);
      const p = poller({ firstAfterMs: 1000, maxDelayMs: 3_600_000, concurrency: 1 });
      sim.faults.failNext(1, { status: 429, headers: { 'retry-after': '600' } });
      clock += 2000;
      expect(await p.pollOnce()).toBe(0);
      expect(lookups()).toBe(1);
      const limited = sim.requests.find((r) => r.path.startsWith('/v1/cases/'))!.path;
      clock += 1000;
      expect(await p.pollOnce()).toBe(2);
      expect(lookups()).toBe(3);
      clock += 590_000;
      await p.pollOnce();
      expect(sim.requests.filter((r) => r.path === limited)).toHaveLength(1);
      clock += 10_000;
      await p.pollOnce();
      expect(sim.requests.filter((r) => r.path === limited)).toHaveLength(2);
      for (const c of cases) expect(await statuses(c.id)).toEqual(['open']);
    });

    it('asks a target whose change feed turns out unsupported (a declarative adapter configured without one), and stops asking one whose getStatus is', async () => {
      const [{ id }] = (await deliver(1)) as [{ id: string; ref: string }];
      const logs: LogEntry[] = [];
      const logger = createLogger({ sink: (e) => logs.push(e), level: 'debug' });
      const real = stack.adapters.get('cases')!;
      let polls = 0;
      const noFeed: AdapterInstance = {
        getStatus: (ref, options) => real.getStatus!(ref, options),
        pollUpdates: async () => {
          polls += 1;
          throw new UnsupportedError('pollUpdates needs a poll request in the configuration');
        },
      };
      const p = new StatusPoller({
        store: stackInternals(stack).store,
        adapters: new Map([['cases', noFeed]]),
        events,
        now,
        logger,
        refresh: { firstAfterMs: 60_000 },
      });
      clock += 61_000;
      await p.pollOnce();
      expect([polls, lookups()]).toEqual([1, 0]);
      expect(logs).toEqual([
        expect.objectContaining({
          level: 'info',
          target: 'cases',
          msg: 'the adapter has no change feed: its statuses are refreshed by getStatus',
        }),
      ]);
      expect(await p.pollOnce()).toBe(1);
      expect([polls, lookups()]).toEqual([1, 1]);
      expect(await statuses(id)).toEqual(['open']);

      let asked = 0;
      const noStatus: AdapterInstance = {
        getStatus: async () => {
          asked += 1;
          throw new UnsupportedError('getStatus needs a status request in the configuration');
        },
      };
      const q = new StatusPoller({
        store: stackInternals(stack).store,
        adapters: new Map([['cases', noStatus]]),
        now,
        logger,
        refresh: { firstAfterMs: 60_000 },
      });
      clock += 60_000;
      await q.pollOnce();
      clock += 86_400_000;
      await q.pollOnce();
      expect(asked).toBe(1);
      expect(logs.at(-1)).toEqual(
        expect.objectContaining({ level: 'warn', target: 'cases', code: 'LGX_ERR_ADAPTER_OPERATION_UNSUPPORTED' }),
      );
      expect(await statuses(id)).toEqual(['open']);
    });

    it('asks nothing when turned off, and refuses a bad setting naming it', async () => {
      const [{ id }] = (await deliver(1)) as [{ id: string; ref: string }];
      clock += 3_600_000;
      await poller(false).pollOnce();
      expect(lookups()).toBe(0);
      expect(await statuses(id)).toEqual([]);
      expect(() => poller({ budget: { calls: 0, windowMs: 1000 } })).toThrow('refresh.budget.calls must be a whole number of 1 or more');
      expect(() => poller({ targets: { cases: { firstAfterMs: 1.5 } } })).toThrow(
        'refresh.targets.cases.firstAfterMs must be a whole number of 1 or more',
      );
    });
  });
}

/**
 * Both stores' query-plan tests fill the backlog of helpers/refresh-backlog.ts with 100,000 deliveries.
 * At CLAIM_AT, with a first wait of a minute and a limit of 5, the first claim for 'busy' reads the ten
 * oldest never-checked cases (and ten scheduled ones, due later), closes nos. 7 and 28 (their status is
 * final) and hands out the five oldest others.
 */
const CLAIM_AT = new Date(Date.parse(REFRESH_BACKLOG_AT) + (86_400 + 30) * 1000);
const FIRST_CLAIM = { refs: ['REF-1', 'REF-4', 'REF-13', 'REF-16', 'REF-19'], closed: 2 };
const backlogClaim = {
  target: 'busy',
  now: CLAIM_AT,
  limit: 5,
  firstAfterMs: 60_000,
  claimMs: 90_000,
  budget: { calls: 60, windowMs: 60_000 },
  finalStatuses: ['closed'],
};

async function expectFirstClaim(store: Store): Promise<void> {
  const claim = await store.claimStatusRefresh(backlogClaim);
  expect([claim.cases.map((c) => c.externalRef), claim.closed]).toEqual([FIRST_CLAIM.refs, FIRST_CLAIM.closed]);
}

const sqliteDir = fs.mkdtempSync(path.join(__dirname, '.tmp-refresh-sqlite-'));
afterAll(() => fs.rmSync(sqliteDir, { recursive: true, force: true }));
describeRefresh('SQLite', async () => createSqliteStore({ file: path.join(sqliteDir, `${randomUUID()}.db`) }));

it('SQLite: finds due cases through per-target indexes with 100,000 deliveries (query plans), oldest due first', async () => {
  const file = path.join(sqliteDir, `plans-${randomUUID()}.db`);
  const store = createSqliteStore({ file });
  await store.migrate();
  await store.close();
  fillRefreshBacklogSqlite(file, 100_000);
  const db = new Database(file);
  try {
    const plan = (sql: string, ...params: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join('\n');
    for (const analysed of [false, true]) {
      if (analysed) db.exec('ANALYZE');
      const latest = /CORRELATED SCALAR SUBQUERY \d+\nSEARCH u USING INDEX status_updates_transaction \(transaction_id=\?\)$/;
      const fresh = plan(SQLITE_REFRESH_QUERIES.fresh, 'busy', CLAIM_AT.toISOString(), 5);
      expect(fresh).toMatch(/^SEARCH d USING INDEX deliveries_refresh_new \(target=\? AND updated_at<\?\)\n/);
      expect(fresh).toMatch(latest);
      const scheduled = plan(SQLITE_REFRESH_QUERIES.scheduled, 'busy', CLAIM_AT.toISOString(), 5);
      expect(scheduled).toMatch(/^SEARCH d USING INDEX deliveries_refresh_due \(target=\? AND refresh_at<\?\)\n/);
      expect(scheduled).toMatch(latest);
      expect(`${fresh}\n${scheduled}`).not.toMatch(/TEMP B-TREE|SCAN d/);
      expect(plan(SQLITE_REFRESH_QUERIES.schedule, 'open', CLAIM_AT.toISOString(), 60000, 'd-000001')).toMatch(
        /^SEARCH deliveries USING INDEX sqlite_autoindex_deliveries_1 \(id=\?\)$/,
      );
    }
  } finally {
    db.close();
  }
  const reopened = createSqliteStore({ file });
  try {
    await expectFirstClaim(reopened);
  } finally {
    await reopened.close();
  }
}, 60_000);

const availability = postgresAvailability();
if (availability.binaries) {
  const binaries = availability.binaries;
  let server: PostgresServer | undefined;
  beforeAll(async () => {
    server = await startPostgresServer(binaries);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  }, 60_000);
  const openStore = async (schema = `refresh_${randomUUID().slice(0, 8)}`) =>
    createPostgresStore({ connectionString: server!.connectionString, schema });
  describeRefresh('PostgreSQL', () => openStore());

  it('PostgreSQL: finds due cases through per-target indexes with 100,000 deliveries (query plans on an analysed table), oldest due first', async () => {
    const schema = `plans_${randomUUID().slice(0, 8)}`;
    const store = await openStore(schema);
    await store.migrate();
    await store.close();
    await fillRefreshBacklogPostgres(server!.connectionString, schema, 100_000);
    const s = `"${schema}"`;
    const client = new pg.Pool({ connectionString: server!.connectionString, max: 1 });
    try {
      const sql = postgresRefreshQueries(s);
      const plan = async (text: string, params: unknown[]) =>
        (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, params)).rows.map((r) => r['QUERY PLAN']).join('\n');
      for (const [name, text, params, index] of [
        ['fresh', sql.fresh, ['busy', CLAIM_AT, 5], 'deliveries_refresh_new'],
        ['scheduled', sql.scheduled, ['busy', CLAIM_AT, 5], 'deliveries_refresh_due'],
      ] as const) {
        const shown = await plan(text, [...params]);
        expect([name, shown]).toEqual([name, expect.stringMatching(new RegExp(`Index Scan using ${index} on deliveries d`))]);
        expect([name, shown]).toEqual([
          name,
          expect.stringMatching(/Index Scan (Backward )?using status_updates_transaction on status_updates u/),
        ]);
        expect([name, shown]).not.toEqual([name, expect.stringMatching(/Seq Scan|Sort/)]);
      }
    } finally {
      await client.end();
    }
    const reopened = await openStore(schema);
    try {
      await expectFirstClaim(reopened);
    } finally {
      await reopened.close();
    }
  }, 120_000);
} else if (availability.mustFail) {
  it('needs PostgreSQL installed in CI', () => {
    throw new Error(`CI=true but ${availability.reason}`);
  });
} else {
  describe.skip(`status refresh (PostgreSQL: ${availability.reason})`, () => {
    it('is skipped', () => undefined);
  });
}
