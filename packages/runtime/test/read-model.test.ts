import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createTransaction, type StatusUpdate } from '@lgx/core';
import { loadFixtures } from '@lgx/testkit';
import {
  createPostgresStore,
  createSqliteStore,
  currentError,
  openReadModel,
  stateOf,
  type ReadModel,
  type Store,
  type StoredDelivery,
  type TransactionView,
} from '../src';
import { SQLITE_READ_QUERIES } from '../src/store/sqlite-read-queries';
import { SQLITE_MIGRATIONS } from '../src/store/sqlite-schema';
import type { AttemptOutcome, NewDelivery, RouteMode } from '../src/store/store-types';
import { postgresAvailability, startPostgresServer, type PostgresServer } from './helpers/postgres-server';

const COUNCIL = 'E07000223';
const OTHER = 'E08000025';
const missed = loadFixtures('waste.missedCollection', { kind: 'valid' }).map((f) => f.data);
const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms);

let seq = 0;
/** Inserts a transaction created at `createdAt`, with one delivery per `links` entry; resolves its id and delivery ids. */
async function insert(
  store: Store,
  createdAt: Date,
  links: Array<{ target: string; mode?: RouteMode; state?: 'pending' | 'skipped' }>,
  council = COUNCIL,
  type = 'waste.missedCollection',
) {
  const data =
    type === 'street.report'
      ? { kind: 'pothole', description: 'Pothole', location: { usrn: '8400709' } }
      : structuredClone(missed[seq % missed.length]);
  const envelope = createTransaction(type, data, { council, channel: 'web', idempotencyKey: `read-${seq++}` });
  const deliveries: NewDelivery[] = links.map((l, order) => ({
    id: randomUUID(),
    target: l.target,
    mode: l.mode ?? 'one',
    order,
    state: l.state ?? 'pending',
  }));
  await store.insertTransaction({ envelope, deliveries, audit: { actor: 'test', action: 'transaction.accepted' }, now: createdAt });
  return { id: envelope.id, deliveries: deliveries.map((d) => d.id) };
}

/** Leases the target's one due delivery and records an attempt with `outcome`. */
async function attempt(store: Store, deliveryId: string, target: string, n: number, outcome: AttemptOutcome) {
  const now = new Date();
  const leased = await store.leaseDeliveries({ owner: 'reader-test', limit: 10, leaseMs: 60_000, now, targets: [target] });
  expect(leased.map((d) => d.id)).toEqual([deliveryId]);
  const failed = outcome.kind === 'delivered' ? {} : { classification: outcome.error.classification, message: outcome.error.message };
  await store.completeAttempt({
    deliveryId,
    owner: 'reader-test',
    attempt: {
      attempt: n,
      startedAt: now.toISOString(),
      finishedAt: now.toISOString(),
      outcome: outcome.kind === 'delivered' ? 'delivered' : 'failed',
      ...failed,
    },
    outcome,
    now,
  });
}

const delivered = (ref: string): AttemptOutcome => ({ kind: 'delivered', receipt: { externalRef: ref } });
const retry: AttemptOutcome = { kind: 'retry', nextAttemptAt: new Date(0), error: { classification: 'retryable', message: 'HTTP 503' } };
const dead: AttemptOutcome = {
  kind: 'dead',
  error: { classification: 'permanent', code: 'LGX_ERR_ADAPTER_PERMANENT', message: 'refused' },
};
const update = (transactionId: string, updateId: string, status: StatusUpdate['status'], minute: number): StatusUpdate => ({
  transactionId,
  externalRef: `REF-${transactionId.slice(0, 8)}`,
  updateId,
  status,
  updatedAt: at(minute * 60_000).toISOString(),
});

/**
 * What the gateway and CLI assembled before the read model, one query per item: the transaction, its
 * deliveries with their current error, each delivery's attempts, the status history, and the state.
 */
async function perItemView(store: Store, id: string): Promise<TransactionView | undefined> {
  const transaction = await store.getTransaction(id);
  if (!transaction) return undefined;
  const deliveries = await Promise.all(
    (await store.listDeliveries(id)).map(async (d) => {
      const { lastError: _stale, ...rest } = d;
      const lastError = currentError(d);
      return { ...rest, ...(lastError ? { lastError } : {}), attemptLog: await store.listAttempts(d.id) } as StoredDelivery & {
        attemptLog: TransactionView['deliveries'][number]['attemptLog'];
      };
    }),
  );
  const statusUpdates = await store.listStatusUpdates(id);
  const latestStatus = statusUpdates[statusUpdates.length - 1];
  return { transaction, state: stateOf(deliveries), deliveries, statusUpdates, ...(latestStatus ? { latestStatus } : {}) };
}

/** Counts the statements a store sends while `fn` runs. */
type Counter = () => { count: () => number; stop: () => void };

function sqliteCounter(): ReturnType<Counter> {
  const scratch = new Database(':memory:');
  const proto = Object.getPrototypeOf(scratch.prepare('SELECT 1')) as Record<
    'all' | 'get' | 'run' | 'iterate',
    (...args: unknown[]) => unknown
  >;
  scratch.close();
  const spies = (['all', 'get', 'run', 'iterate'] as const).map((method) => jest.spyOn(proto, method));
  return { count: () => spies.reduce((n, spy) => n + spy.mock.calls.length, 0), stop: () => spies.forEach((spy) => spy.mockRestore()) };
}

/** pg's Client: the store's pool sends every statement through its query (pg.d.ts declares only the pool). */
const pgClient = (pg as unknown as { Client: { prototype: { query(...args: unknown[]): unknown } } }).Client;

function postgresCounter(): ReturnType<Counter> {
  const spy = jest.spyOn(pgClient.prototype, 'query');
  return { count: () => spy.mock.calls.length, stop: () => spy.mockRestore() };
}

async function counted<R>(counter: Counter, fn: () => Promise<R>): Promise<{ result: R; statements: number }> {
  const c = counter();
  try {
    const result = await fn();
    return { result, statements: c.count() };
  } finally {
    c.stop();
  }
}

function describeReadModel(name: string, open: () => Promise<Store>, counter: Counter): void {
  describe(`the read model on ${name}`, () => {
    let reader: ReadModel;
    let store: Store;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      store = await open();
      reader = await openReadModel({ store, council: COUNCIL });
      // A transaction in each state the views tell apart, created a minute apart (newest last).
      const pending = await insert(store, at(60_000), [{ target: 'p' }]);
      const ok = await insert(store, at(120_000), [{ target: 'ok' }]);
      await attempt(store, ok.deliveries[0]!, 'ok', 1, delivered('OK-1'));
      const recovered = await insert(store, at(180_000), [{ target: 'rec' }]);
      await attempt(store, recovered.deliveries[0]!, 'rec', 1, retry);
      await attempt(store, recovered.deliveries[0]!, 'rec', 2, delivered('REC-1'));
      const died = await insert(store, at(240_000), [{ target: 'dead' }]);
      await attempt(store, died.deliveries[0]!, 'dead', 1, dead);
      const fallback = await insert(store, at(300_000), [
        { target: 'fb1', mode: 'fallback' },
        { target: 'fb2', mode: 'fallback', state: 'skipped' },
      ]);
      await attempt(store, fallback.deliveries[0]!, 'fb1', 1, dead);
      await attempt(store, fallback.deliveries[1]!, 'fb2', 1, delivered('FB-2'));
      const shadowed = await insert(store, at(360_000), [{ target: 'main' }, { target: 'shadow', mode: 'shadow' }]);
      await attempt(store, shadowed.deliveries[1]!, 'shadow', 1, dead);
      const followed = await insert(store, at(420_000), [{ target: 'st' }]);
      await store.saveStatusUpdate({ target: 'st', update: update(followed.id, 'u1', 'open', 1), now: at(430_000) });
      await store.saveStatusUpdate({ target: 'st', update: update(followed.id, 'u2', 'action_scheduled', 2), now: at(440_000) });
      const street = await insert(store, at(480_000), [{ target: 'streets' }], COUNCIL, 'street.report');
      await store.saveStatusUpdate({ target: 'streets', update: update(street.id, 's1', 'fixed', 3), now: at(490_000) });
      const elsewhere = await insert(store, at(540_000), [{ target: 'p' }], OTHER);
      await store.saveStatusUpdate({ target: 'p', update: update(elsewhere.id, 'o1', 'closed', 4), now: at(550_000) });
      Object.assign(ids, {
        pending: pending.id,
        ok: ok.id,
        recovered: recovered.id,
        died: died.id,
        fallback: fallback.id,
        shadowed: shadowed.id,
        followed: followed.id,
        street: street.id,
        elsewhere: elsewhere.id,
      });
    });
    afterAll(() => reader.close());

    it('gives get(id) the same view the per-item reads assembled: deliveries, attempts, current error, status history, state', async () => {
      for (const id of Object.values(ids)) expect(await reader.get(id, { personalData: true })).toEqual(await perItemView(store, id));
      const states = await Promise.all(Object.entries(ids).map(async ([label, id]) => [label, (await reader.get(id))!.state]));
      expect(Object.fromEntries(states)).toEqual({
        pending: 'pending',
        ok: 'delivered',
        recovered: 'delivered',
        died: 'dead',
        fallback: 'delivered',
        shadowed: 'pending',
        followed: 'pending',
        street: 'pending',
        elsewhere: 'pending',
      });
      // An error a later attempt got past is history: in the attempt log, not on the delivery.
      const recovered = (await reader.get(ids.recovered!))!.deliveries[0]!;
      expect(recovered).not.toHaveProperty('lastError');
      expect(recovered.attemptLog.map((a) => [a.attempt, a.outcome, a.classification])).toEqual([
        [1, 'failed', 'retryable'],
        [2, 'delivered', undefined],
      ]);
      expect((await reader.get(ids.died!))!.deliveries[0]!.lastError).toEqual({
        classification: 'permanent',
        code: 'LGX_ERR_ADAPTER_PERMANENT',
        message: 'refused',
      });
      expect(await reader.get('no-such-transaction')).toBeUndefined();
    });

    it('lists a council newest first, each summary with the state and newest status the per-item view has', async () => {
      const page = await reader.list({ limit: 100, personalData: true });
      const own = Object.entries(ids).filter(([label]) => label !== 'elsewhere');
      expect(page.map((s) => s.transaction.id)).toEqual(own.map(([, id]) => id).reverse());
      for (const summary of page) {
        const full = (await perItemView(store, summary.transaction.id))!;
        expect(summary).toEqual({
          transaction: full.transaction,
          state: full.state,
          ...(full.latestStatus ? { latestStatus: full.latestStatus } : {}),
        });
      }
      expect(page.find((s) => s.transaction.id === ids.followed)!.latestStatus!.update).toEqual(
        expect.objectContaining({ updateId: 'u2', status: 'action_scheduled' }),
      );
    });

    it('pages with before, filters by type and time, and takes a list of ids (unknown and other councils left out)', async () => {
      const first = await reader.list({ limit: 3 });
      const last = first[2]!.transaction;
      const next = await reader.list({ limit: 3, before: { createdAt: last.createdAt, id: last.id } });
      const all = await reader.list({ limit: 100 });
      expect([...first, ...next].map((s) => s.transaction.id)).toEqual(all.slice(0, 6).map((s) => s.transaction.id));
      expect((await reader.list({ limit: 100, types: ['street.report'] })).map((s) => s.transaction.id)).toEqual([ids.street]);
      expect((await reader.list({ limit: 100, from: at(120_000), to: at(240_000) })).map((s) => s.transaction.id)).toEqual([
        ids.recovered,
        ids.ok,
      ]);
      expect((await reader.list({ limit: 100, council: OTHER })).map((s) => s.transaction.id)).toEqual([ids.elsewhere]);

      const byIds = await reader.list({ limit: 100, ids: [ids.ok!, 'nope', ids.elsewhere!, ids.street!, ids.ok!] });
      expect(byIds.map((s) => s.transaction.id)).toEqual([ids.street, ids.ok]);
      const sameFilters = await reader.list({
        limit: 1,
        ids: [ids.ok!, ids.street!, ids.died!],
        types: ['waste.missedCollection'],
        before: { createdAt: at(240_000).toISOString(), id: ids.died! },
      });
      expect(sameFilters.map((s) => s.transaction.id)).toEqual([ids.ok]);
    });

    it("lists the council's status updates with their transaction's type, oldest first", async () => {
      const updates = await reader.listStatusUpdates({ limit: 100 });
      expect(updates.map((u) => [u.update.updateId, u.transactionType])).toEqual([
        ['u1', 'waste.missedCollection'],
        ['u2', 'waste.missedCollection'],
        ['s1', 'street.report'],
      ]);
      expect((await reader.listStatusUpdates({ limit: 100, types: ['street.report'] })).map((u) => u.update.updateId)).toEqual(['s1']);
      expect((await reader.listStatusUpdates({ limit: 100, afterId: updates[0]!.id })).map((u) => u.update.updateId)).toEqual(['u2', 's1']);
    });

    it('refuses a page size out of range, naming the field', async () => {
      for (const limit of [0, 10_001, 2.5]) {
        await expect(reader.list({ limit })).rejects.toMatchObject({
          code: 'LGX_ERR_VALIDATION_INVALID',
          issues: [expect.objectContaining({ path: '/limit' })],
        });
      }
    });

    it('reads a page of 1,000 transactions with as many statements as a page of 10', async () => {
      for (let i = 0; i < 1000; i += 100) {
        await Promise.all(
          Array.from({ length: 100 }, async (_, j) => {
            const t = await insert(store, at(600_000 + (i + j) * 10), [{ target: 'bulk' }, { target: 'bulk-shadow', mode: 'shadow' }]);
            if (j % 3 === 0)
              await store.saveStatusUpdate({ target: 'bulk', update: update(t.id, `b${i + j}`, 'in_progress', 5), now: at(700_000) });
          }),
        );
      }
      const small = await counted(counter, () => reader.list({ limit: 10 }));
      const large = await counted(counter, () => reader.list({ limit: 1000 }));
      expect(small.result).toHaveLength(10);
      expect(large.result).toHaveLength(1000);
      // One pending delivery and a shadow one each: pending, whatever the shadow does.
      expect(large.result.every((s) => s.state === 'pending')).toBe(true);
      expect(large.result.filter((s) => s.latestStatus)).toHaveLength(340);
      // The page's transactions, then their deliveries' states and newest status updates: three, whatever the size.
      expect([small.statements, large.statements]).toEqual([3, 3]);

      const idsPage = large.result.map((s) => s.transaction.id);
      const byIds = await counted(counter, () => reader.list({ limit: 1000, ids: idsPage }));
      expect(byIds.result.map((s) => s.transaction.id)).toEqual(idsPage);
      expect(byIds.statements).toBe(3);

      const updates = await counted(counter, () => reader.listStatusUpdates({ limit: 1000 }));
      expect(updates.result).toHaveLength(343);
      expect(updates.statements).toBe(2);

      // A view in full: transaction, deliveries, their attempts (one query for all), status history.
      const one = await counted(counter, () => reader.get(ids.fallback!));
      expect(one.result!.deliveries).toHaveLength(2);
      expect(one.statements).toBe(4);
      // The counter sees per-item reads: what the same page cost before, one query per item and table.
      const perItem = await counted(counter, () => Promise.all(small.result.map((s) => perItemView(store, s.transaction.id))));
      expect(perItem.statements).toBeGreaterThanOrEqual(10 * 4);
    });

    it('verifies the audit chain and answers the health probe', async () => {
      expect(await reader.verifyAudit()).toEqual({ ok: true });
      expect((await reader.listAudit({ transactionId: ids.ok! })).map((e) => e.action)).toEqual([
        'transaction.accepted',
        'delivery.delivered',
      ]);
      await expect(reader.pingStore()).resolves.toBeUndefined();
    });
  });
}

const sqliteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-read-'));
afterAll(() => fs.rmSync(sqliteDir, { recursive: true, force: true }));
describeReadModel('SQLite', async () => createSqliteStore({ file: path.join(sqliteDir, 'lgx.db') }), sqliteCounter);

describe('the SQLite read queries', () => {
  it('search each table by its index for the ids, never scan it', () => {
    const db = new Database(':memory:');
    for (const migration of SQLITE_MIGRATIONS) db.exec(migration.sql);
    for (const [name, sql] of Object.entries(SQLITE_READ_QUERIES)) {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all('[]') as Array<{ detail: string }>).map((r) => r.detail);
      expect({ name, scans: plan.filter((d) => /^SCAN (transactions|deliveries|attempts|status_updates)\b/.test(d)) }).toEqual({
        name,
        scans: [],
      });
      expect({ name, searches: plan.some((d) => /^SEARCH \w+ USING (COVERING )?(INDEX|INTEGER PRIMARY KEY)/.test(d)) }).toEqual({
        name,
        searches: true,
      });
    }
    db.close();
  });
});

describe('a read model opened without a council', () => {
  it('reads any transaction by id, and says what needs a council', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-read-'));
    try {
      const store = createSqliteStore({ file: path.join(dir, 'lgx.db') });
      const reader = await openReadModel({ store });
      const { id } = await insert(store, at(0), [{ target: 'p' }], OTHER);
      expect((await reader.get(id))!.transaction.council).toBe(OTHER);
      await expect(reader.list({ limit: 10 })).rejects.toThrow(/list needs a council/);
      await expect(reader.dlq.list()).rejects.toThrow(/dead-letter queue needs a council/);
      await reader.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

const availability = postgresAvailability();
if (availability.binaries) {
  const binaries = availability.binaries;
  let server: PostgresServer | undefined;
  beforeAll(async () => {
    server = await startPostgresServer(binaries);
  }, 120_000);
  afterAll(() => server?.stop());
  describeReadModel(
    'PostgreSQL',
    async () => createPostgresStore({ connectionString: server!.connectionString, schema: `read_${process.pid}` }),
    postgresCounter,
  );
} else if (availability.mustFail) {
  describe('the read model on PostgreSQL', () => {
    it('runs where CI provides PostgreSQL', () => {
      throw new Error(`CI=true but ${availability.reason}`);
    });
  });
} else {
  describe.skip(`the read model on PostgreSQL (${availability.reason})`, () => undefined);
}
