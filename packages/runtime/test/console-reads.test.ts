import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createTransaction, type Channel } from '@lgx/core';
import { createPostgresStore, createSqliteStore, openReadModel, type ReadModel, type Store, type TransactionState } from '../src';
import { SqlParams } from '../src/store/sql-params';
import { transactionFilter } from '../src/store/list-filters';
import { targetActivitySql } from '../src/store/transaction-state-sql';
import type { AttemptOutcome } from '../src/store/store-types';
import { withPostgres } from './helpers/postgres-suite';

const COUNCIL = 'E07000223';
const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms);
const failure = { classification: 'retryable', code: 'LGX_ERR_ADAPTER_RETRYABLE', message: 'HTTP 503 from back office' };

/** Accepts a pothole report sent through `channel` at `createdAt`, with one delivery to `target`. */
async function accept(store: Store, createdAt: Date, channel: Channel, target: string): Promise<{ id: string; delivery: string }> {
  const envelope = createTransaction(
    'street.report',
    { kind: 'pothole', description: 'Pothole', location: { usrn: '8400709' } },
    { council: COUNCIL, channel },
  );
  const delivery = randomUUID();
  await store.insertTransaction({
    envelope,
    deliveries: [{ id: delivery, target, mode: 'one', order: 0, state: 'pending' }],
    audit: { actor: 'test', action: 'transaction.accepted' },
    now: createdAt,
  });
  return { id: envelope.id, delivery };
}

/** Leases `target`'s one due delivery at `now` and records an attempt ending in `outcome`. */
async function attempt(store: Store, target: string, now: Date, outcome: AttemptOutcome): Promise<void> {
  const [leased] = await store.leaseDeliveries({ owner: 'console-test', limit: 1, leaseMs: 60_000, now, targets: [target] });
  if (!leased) throw new Error(`nothing due for ${target}`);
  const iso = now.toISOString();
  const failed = outcome.kind !== 'delivered';
  await store.completeAttempt({
    deliveryId: leased.id,
    owner: 'console-test',
    attempt: { attempt: leased.attempts + 1, startedAt: iso, finishedAt: iso, outcome: failed ? 'failed' : 'delivered' },
    outcome,
    now,
  });
}

/** Every page of a listing, following the cursor as the console's "Older transactions" link does. */
async function allPages(reader: ReadModel, query: { channel?: string; state?: TransactionState }, size: number): Promise<string[]> {
  const ids: string[] = [];
  let before: { createdAt: string; id: string } | undefined;
  for (;;) {
    const page = await reader.list({ ...query, limit: size, ...(before ? { before } : {}) });
    ids.push(...page.map((s) => s.transaction.id));
    if (page.length < size) return ids;
    const last = page[page.length - 1]!.transaction;
    before = { createdAt: last.createdAt, id: last.id };
  }
}

function describeConsoleReads(name: string, createStore: () => Store): void {
  describe(`console reads in SQL (${name})`, () => {
    let store: Store;
    let reader: ReadModel;
    beforeEach(async () => {
      store = createStore();
      reader = await openReadModel({ store, council: COUNCIL });
    });
    afterEach(async () => {
      await reader.close();
    });

    it('filters transactions by channel and state in the store, page after page, and follows each state change', async () => {
      const target = `confirm-${randomUUID().slice(0, 8)}`;
      // Newest first: index i is accepted i minutes after T0; even ones by web, odd ones by phone.
      const accepted = [];
      for (let i = 0; i < 7; i++) accepted.push(await accept(store, at(i * 60_000), i % 2 === 0 ? 'web' : 'phone', target));
      const newestFirst = (xs: Array<{ id: string }>) => [...xs].reverse().map((x) => x.id);
      // The three oldest delivered, the next one dead, the rest still queued.
      for (let i = 0; i < 3; i++)
        await attempt(store, target, at(3_600_000 + i), { kind: 'delivered', receipt: { externalRef: `R${i}` } as never });
      await attempt(store, target, at(3_600_010), { kind: 'dead', error: failure });

      expect(await allPages(reader, { channel: 'web' }, 2)).toEqual(newestFirst(accepted.filter((_, i) => i % 2 === 0)));
      expect(await allPages(reader, { channel: 'phone' }, 2)).toEqual(newestFirst(accepted.filter((_, i) => i % 2 === 1)));
      expect(await allPages(reader, { state: 'delivered' }, 2)).toEqual(newestFirst(accepted.slice(0, 3)));
      expect(await allPages(reader, { state: 'dead' }, 2)).toEqual([accepted[3]!.id]);
      expect(await allPages(reader, { state: 'pending' }, 2)).toEqual(newestFirst(accepted.slice(4)));
      expect(await allPages(reader, { state: 'delivered', channel: 'web' }, 1)).toEqual([accepted[2]!.id, accepted[0]!.id]);
      // A reference with a filter it does not match is not found.
      expect((await reader.list({ ids: [accepted[3]!.id], state: 'delivered', limit: 5 })).length).toBe(0);
      expect((await reader.list({ ids: [accepted[3]!.id], state: 'dead', limit: 5 })).map((s) => s.state)).toEqual(['dead']);

      // Replayed, the dead one is pending again.
      await store.replayDeadLetter(accepted[3]!.delivery, { actor: 'key-ops', reason: 'back office fixed', now: at(7_200_000) });
      expect(await allPages(reader, { state: 'dead' }, 5)).toEqual([]);
      expect(await allPages(reader, { state: 'pending' }, 5)).toEqual([...newestFirst(accepted.slice(4)), accepted[3]!.id]);
      // A dead letter discarded is discarded.
      const other = `other-${randomUUID().slice(0, 8)}`;
      const lone = await accept(store, at(30_000), 'web', other);
      await attempt(store, other, at(7_200_001), { kind: 'dead', error: failure });
      await store.discardDeadLetter(lone.delivery, { actor: 'key-ops', reason: 'duplicate report', now: at(7_200_002) });
      expect(await allPages(reader, { state: 'discarded' }, 5)).toEqual([lone.id]);
      // The state on the row agrees with the state read from the deliveries, for every transaction.
      for (const s of await reader.list({ limit: 100 })) expect((await reader.get(s.transaction.id))!.state).toBe(s.state);
    });

    it("reads each back office's oldest queued delivery, retries waiting and deliveries in the last hour from the store", async () => {
      const target = `confirm-${randomUUID().slice(0, 8)}`;
      const idle = `idle-${randomUUID().slice(0, 8)}`;
      for (let i = 0; i < 5; i++) await accept(store, at(i * 1_000), 'web', target);
      // Two delivered well over an hour before `now`, one within it; one failed and waits to retry.
      await attempt(store, target, at(10_000), { kind: 'delivered', receipt: { externalRef: 'A' } as never });
      await attempt(store, target, at(11_000), { kind: 'delivered', receipt: { externalRef: 'B' } as never });
      await attempt(store, target, at(2 * 3_600_000), { kind: 'delivered', receipt: { externalRef: 'C' } as never });
      await attempt(store, target, at(2 * 3_600_000 + 1), { kind: 'retry', nextAttemptAt: at(3 * 3_600_000), error: failure });
      const now = at(2 * 3_600_000 + 30 * 60_000);
      const activity = await reader.targetActivity([target, idle], { now });
      expect(activity).toEqual({
        // The retrying one is the fourth accepted (the oldest still queued).
        [target]: { oldestQueuedAt: at(3_000).toISOString(), retrying: 1, dead: 0, deliveredSince: 1 },
        [idle]: { retrying: 0, dead: 0, deliveredSince: 0 },
      });
      // Counts stop at the cap the caller gives.
      expect((await reader.targetActivity([target], { now: at(3 * 3_600_000), cap: 1 }))[target]).toEqual({
        oldestQueuedAt: at(3_000).toISOString(),
        retrying: 1,
        dead: 0,
        deliveredSince: 1,
      });
    });
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgx-console-reads-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describeConsoleReads('sqlite', () => createSqliteStore({ file: path.join(dir, `${randomUUID()}.db`) }));

withPostgres((connection) => {
  describeConsoleReads('postgres', () => createPostgresStore({ connectionString: connection(), schema: `c${randomUUID().slice(0, 8)}` }));
});

// ---- Query plans at 100,000 transactions ----

const ROWS = 100_000;
/** A tenth of the transactions dead, a tenth by phone, a tenth missed bins; the rest delivered street reports, by web. */
const listQueries: Array<[string, { channel?: string; state?: string; types?: string[] }, string]> = [
  ['state', { state: 'dead' }, 'transactions_council_state'],
  ['channel', { channel: 'phone' }, 'transactions_council_channel'],
  ['type', { types: ['waste.missedCollection'] }, 'transactions_council_type'],
];
const before = { createdAt: '2026-03-02T12:00:00.000Z', id: 'tx-050000' };

describe('console reads at 100,000 transactions: query plans (sqlite)', () => {
  it('pages every filter and reads the overview through an index in the page order, without sorting or scanning the table', async () => {
    const file = path.join(dir, `plans-${randomUUID()}.db`);
    const store = createSqliteStore({ file });
    await store.migrate();
    await store.close();
    const db = new Database(file);
    try {
      db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS})
        INSERT INTO transactions (id, council, type, idempotency_key, envelope, created_at, channel, service, state)
        SELECT printf('tx-%06d', i), '${COUNCIL}', CASE WHEN i % 10 = 2 THEN 'waste.missedCollection' ELSE 'street.report' END, 'key-' || i, '{}', strftime('%Y-%m-%dT%H:%M:%fZ', '2026-03-01T00:00:00.000Z', '+' || i || ' seconds'),
          CASE WHEN i % 10 = 1 THEN 'phone' ELSE 'web' END, 'street.report', CASE WHEN i % 10 = 0 THEN 'dead' ELSE 'delivered' END FROM n`);
      db.exec(`INSERT INTO deliveries (id, transaction_id, council, target, mode, link_order, state, attempts, next_attempt_at, created_at, updated_at)
        SELECT 'd-' || id, id, council, CASE WHEN id LIKE '%0' OR id LIKE '%5' THEN 'confirm' ELSE 'other' END, 'one', 0, state, 1, created_at, created_at, created_at FROM transactions`);
      const plan = (sql: string, params: unknown[]) =>
        (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join('\n');
      for (const analysed of [false, true]) {
        if (analysed) db.exec('ANALYZE');
        for (const [, filter, index] of listQueries) {
          const p = new SqlParams(false);
          const sql = `SELECT * FROM transactions WHERE ${transactionFilter(p, { council: COUNCIL, ...filter, before })} ORDER BY created_at DESC, id DESC LIMIT ${p.add(26)}`;
          // One index search in the page's order: no temporary sort, no scan of the table.
          expect(plan(sql, p.values)).toMatch(
            new RegExp(`^SEARCH transactions USING INDEX ${index} \\(council=\\? AND \\w+=\\? AND created_at<=?\\?\\)$`),
          );
        }
        const p = new SqlParams(false);
        const sql = targetActivitySql((n) => n, p, { council: COUNCIL, target: 'confirm', since: '2026-03-02T00:00:00.000Z', cap: 10_000 });
        const overview = plan(sql, p.values);
        expect(overview).toMatch(/SEARCH deliveries USING (COVERING )?INDEX deliveries_queued_age \(council=\? AND target=\?\)/);
        expect(overview).toMatch(/SEARCH deliveries USING (COVERING )?INDEX deliveries_retrying \(council=\? AND target=\?\)/);
        expect(overview).toMatch(/SEARCH deliveries USING (COVERING )?INDEX deliveries_dead_letters \(council=\? AND target=\?\)/);
        expect(overview).toMatch(
          /SEARCH deliveries USING (COVERING )?INDEX deliveries_delivered_at \(council=\? AND target=\? AND updated_at>\?\)/,
        );
        // (The SCANs left are of the one-row results of the bounded subqueries.)
        expect(overview).not.toMatch(/SCAN deliveries|TEMP B-TREE/);
      }
    } finally {
      db.close();
    }
  }, 120_000);
});

withPostgres((connection) => {
  describe('console reads at 100,000 transactions: query plans (postgres)', () => {
    it('pages every filter and reads the overview through an index, without sorting or scanning the table', async () => {
      const schema = `p${randomUUID().slice(0, 8)}`;
      const store = createPostgresStore({ connectionString: connection(), schema });
      await store.migrate();
      await store.close();
      const client = new pg.Pool({ connectionString: connection(), max: 1 });
      try {
        const s = `"${schema}"`;
        await client.query(`INSERT INTO ${s}.transactions (id, council, type, idempotency_key, envelope, created_at, channel, service, state)
          SELECT 'tx-' || lpad(i::text, 6, '0'), '${COUNCIL}', CASE WHEN i % 10 = 2 THEN 'waste.missedCollection' ELSE 'street.report' END, 'key-' || i, '{}'::jsonb, '2026-03-01T00:00:00Z'::timestamptz + i * interval '1 second',
            CASE WHEN i % 10 = 1 THEN 'phone' ELSE 'web' END, 'street.report', CASE WHEN i % 10 = 0 THEN 'dead' ELSE 'delivered' END
          FROM generate_series(1, ${ROWS}) i`);
        await client.query(`INSERT INTO ${s}.deliveries (id, transaction_id, council, target, mode, link_order, state, attempts, next_attempt_at, created_at, updated_at)
          SELECT 'd-' || id, id, council, CASE WHEN id LIKE '%0' OR id LIKE '%5' THEN 'confirm' ELSE 'other' END, 'one', 0, state, 1, created_at, created_at, created_at FROM ${s}.transactions`);
        await client.query(`ANALYZE ${s}.transactions`);
        await client.query(`ANALYZE ${s}.deliveries`);
        const plan = async (sql: string, params: unknown[]) =>
          (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params)).rows.map((r) => r['QUERY PLAN']).join('\n');
        for (const [, filter, index] of listQueries) {
          const p = new SqlParams(true);
          const sql = `SELECT * FROM ${s}.transactions WHERE ${transactionFilter(p, { council: COUNCIL, ...filter, before })} ORDER BY created_at DESC, id DESC LIMIT ${p.add(26)}`;
          const text = await plan(sql, p.values);
          expect(text).toMatch(new RegExp(`Index Scan using ${index} on transactions`));
          expect(text).not.toMatch(/Seq Scan|Sort/);
        }
        const p = new SqlParams(true);
        const sql = targetActivitySql((n) => `${s}.${n}`, p, {
          council: COUNCIL,
          target: 'confirm',
          since: '2026-03-02T00:00:00.000Z',
          cap: 10_000,
        });
        const overview = await plan(sql, p.values);
        for (const index of ['deliveries_queued_age', 'deliveries_retrying', 'deliveries_dead_letters', 'deliveries_delivered_at'])
          expect(overview).toMatch(new RegExp(`(Index (Only )?Scan using|Bitmap Index Scan on) ${index}\\b`));
        expect(overview).not.toMatch(/Seq Scan|Sort/);
      } finally {
        await client.end();
      }
    }, 180_000);
  });
});
