import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createTransaction } from '@lgx/core';
import { verifyAuditChain } from '../src/store/audit-chain';
import { AGAIN, groupCommits } from '../src/store/group-commit';
import pg from 'pg';
import { postgresLeaseQueries } from '../src/store/postgres-lease-queries';
import { POSTGRES_MIGRATIONS } from '../src/store/postgres-schema';
import { createPostgresStore } from '../src/store/postgres-store';
import { describeStoreConformance } from '@lgx/runtime/testing';
import type { NewTransaction, Store } from '../src/store/store-types';
import { BACKLOG_AT, expectFirstLeases, expectUpgraded, LEASE_AT } from './helpers/backlog-leases';
import { postgresAvailability, startPostgresServer, type PostgresBinaries, type PostgresServer } from './helpers/postgres-server';

const COUNCIL = 'E07000223';
const availability = postgresAvailability();

function pothole(target: string, now = new Date()): NewTransaction {
  const envelope = createTransaction(
    'street.report',
    { kind: 'pothole', description: 'Pothole', location: { usrn: '8400709' } },
    { council: COUNCIL, channel: 'web' },
  );
  return {
    envelope,
    deliveries: [{ id: randomUUID(), target, mode: 'one', order: 0, state: 'pending' }],
    audit: { actor: 'key-test', action: 'transaction.accepted' },
    now,
  };
}

interface WorkerReport {
  owner: string;
  leased: string[];
  completed: string[];
  foreign: string[];
}

/** Runs the lease-worker fixture in `count` processes started together; resolves with their reports. */
async function runWorkers(connectionString: string, schema: string, count: number, timeoutMs: number): Promise<WorkerReport[]> {
  const script = join(__dirname, 'fixtures', 'postgres-lease-worker.ts');
  const children = Array.from({ length: count }, (_, i) =>
    // tsx as a loader in this one process (see sqlite-store.test.ts), so a kill reaches the worker itself.
    spawn(process.execPath, ['--import', 'tsx', script, connectionString, schema, `worker-${i}`], {
      cwd: join(__dirname, '..'),
      stdio: ['pipe', 'pipe', 'pipe'],
    }),
  );
  const outputs = children.map(() => ({ stdout: '', stderr: '' }));
  const exits = children.map(
    (child, i) =>
      new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => (outputs[i]!.stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (outputs[i]!.stderr += chunk.toString()));
        child.on('exit', (code, signal) =>
          code === 0 ? resolve() : reject(new Error(`worker-${i} exited (${String(code ?? signal)}): ${outputs[i]!.stderr}`)),
        );
      }),
  );
  const timer = setTimeout(() => children.forEach((c) => c.kill('SIGKILL')), timeoutMs);
  try {
    // Every worker connected and migrated before any starts leasing, so they really race.
    await Promise.all(
      children.map(
        (child, i) =>
          new Promise<void>((resolve, reject) => {
            const check = (): void => {
              if (outputs[i]!.stdout.includes('ready\n')) resolve();
            };
            child.stdout.on('data', check);
            child.on('exit', () => reject(new Error(`worker-${i} exited before it was ready: ${outputs[i]!.stderr}`)));
            check();
          }),
      ),
    );
    for (const child of children) child.stdin.write('go\n');
    await Promise.all(exits);
  } finally {
    clearTimeout(timer);
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.allSettled(exits);
  }
  return outputs.map((o) => JSON.parse(o.stdout.split('\n').find((line) => line.startsWith('{')) ?? 'null') as WorkerReport);
}

function describePostgres(binaries: PostgresBinaries): void {
  let server: PostgresServer | undefined;
  beforeAll(async () => {
    server = await startPostgresServer(binaries);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  }, 60_000);

  const connection = (): string => {
    if (!server) throw new Error('the PostgreSQL test server did not start');
    return server.connectionString;
  };
  const open = async (schema: string): Promise<Store> => {
    const store = createPostgresStore({ connectionString: connection(), schema });
    await store.migrate();
    return store;
  };

  describeStoreConformance('postgres', () => open('conformance'));

  describe('PostgreSQL store', () => {
    it('migrates again safely, also from several stores at once, and keeps data across reopen', async () => {
      const schema = `reopen_${randomUUID().slice(0, 8)}`;
      const stores = Array.from({ length: 4 }, () => createPostgresStore({ connectionString: connection(), schema }));
      try {
        await Promise.all(stores.map((s) => s.migrate()));
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
      const first = await open(schema);
      const input = pothole('confirm');
      const { id } = await first.insertTransaction(input);
      await first.close();
      await first.close();
      const second = await open(schema);
      try {
        expect((await second.getTransaction(id))?.envelope).toEqual(input.envelope);
        expect(verifyAuditChain(await second.listAudit(COUNCIL))).toEqual({ ok: true });
        expect(await second.insertTransaction({ ...pothole('confirm'), envelope: { ...input.envelope, id: randomUUID() } })).toEqual({
          id,
          duplicate: true,
        });
      } finally {
        await second.close();
      }
    });

    it('records outcomes that arrive together as each alone: one gap-free chain, totals and states as if one by one', async () => {
      const store = await open(`outcomes_${randomUUID().slice(0, 8)}`);
      try {
        const now = new Date('2026-03-02T10:00:00Z');
        // 12 transactions to one target, and 4 that fan out to two targets (their outcomes race each other).
        for (let i = 0; i < 12; i++) await store.insertTransaction(pothole('confirm', now));
        const fanned: string[] = [];
        for (let i = 0; i < 4; i++) {
          const input = pothole('confirm', now);
          input.deliveries.push({ id: randomUUID(), target: 'alloy', mode: 'one', order: 1, state: 'pending' });
          fanned.push((await store.insertTransaction(input)).id);
        }
        const leased = await store.leaseDeliveries({ owner: 'w', limit: 100, leaseMs: 60_000, now });
        expect(leased).toHaveLength(20);
        const at = new Date(now.getTime() + 1000);
        const record = (n: number, outcome: 'delivered' | 'failed') => ({
          attempt: n,
          startedAt: at.toISOString(),
          finishedAt: at.toISOString(),
          outcome,
          ...(outcome === 'failed' ? { classification: 'permanent' as const, code: 'LGX_ERR_ADAPTER_REJECTED', message: 'refused' } : {}),
        });
        const results = await Promise.all([
          ...leased.map((d, i) =>
            store.completeAttempt({
              deliveryId: d.id,
              owner: 'w',
              attempt: record(1, i % 5 === 0 ? 'failed' : 'delivered'),
              outcome:
                i % 5 === 0
                  ? { kind: 'dead', error: { classification: 'permanent', code: 'LGX_ERR_ADAPTER_REJECTED', message: 'refused' } }
                  : { kind: 'delivered', receipt: { externalRef: `R-${i}`, status: 'open' } as never },
              now: at,
            }),
          ),
          // Not the lease's owner: refused, and nothing of it is written.
          store.completeAttempt({
            deliveryId: leased[1]!.id,
            owner: 'someone-else',
            attempt: record(1, 'delivered'),
            outcome: { kind: 'delivered', receipt: { externalRef: 'X', status: 'open' } as never },
            now: at,
          }),
        ]);
        expect(results).toEqual([...leased.map(() => true), false]);
        const dead = leased.filter((_, i) => i % 5 === 0).length;
        const audit = await store.listAudit(COUNCIL);
        expect(verifyAuditChain(audit)).toEqual({ ok: true });
        // 16 accepted, then one entry per delivered or dead outcome.
        expect(audit).toHaveLength(16 + 20);
        const totals = await store.deliveryTotals(COUNCIL);
        expect((totals['confirm']?.delivered ?? 0) + (totals['alloy']?.delivered ?? 0)).toBe(20 - dead);
        expect((totals['confirm']?.dead ?? 0) + (totals['alloy']?.dead ?? 0)).toBe(dead);
        expect((await store.queueDepth()).total).toBe(0);
        // Each fanned transaction's state, kept on its row, follows both its outcomes, whichever batch each went in.
        for (const id of fanned) {
          const states = (await store.listDeliveries(id)).map((d) => d.state);
          const expected = states.includes('delivered') ? 'delivered' : 'dead';
          const listed = await store.listTransactions({ council: COUNCIL, ids: [id], state: expected, limit: 10 });
          expect(listed.map((t) => t.id)).toEqual([id]);
        }
      } finally {
        await store.close();
      }
    });

    it('refuses a schema name that is not a plain identifier', () => {
      expect(() => createPostgresStore({ connectionString: connection(), schema: 'x"; DROP TABLE audit; --' })).toThrow(
        /invalid PostgreSQL schema name/,
      );
    });

    it('keeps one audit chain and one transaction per key under concurrent writers on many connections', async () => {
      const schema = `chain_${randomUUID().slice(0, 8)}`;
      const stores = [await open(schema), await open(schema), await open(schema)];
      try {
        const key = `key-${randomUUID()}`;
        const same = await Promise.all(
          stores.map((s) => {
            const input = pothole('confirm');
            return s.insertTransaction({ ...input, envelope: { ...input.envelope, idempotencykey: key } });
          }),
        );
        expect(new Set(same.map((r) => r.id)).size).toBe(1);
        expect(same.filter((r) => !r.duplicate)).toHaveLength(1);
        await Promise.all(
          Array.from({ length: 60 }, (_, i) =>
            stores[i % 3]!.appendAudit({ council: COUNCIL, actor: 'system', action: 'stack.loaded', details: { i } }, new Date()),
          ),
        );
        const chain = await stores[0]!.listAudit(COUNCIL);
        expect(chain).toHaveLength(61);
        expect(verifyAuditChain(chain)).toEqual({ ok: true });
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('keeps the per-target cap when leasers on several connections count at once', async () => {
      const schema = `caps_${randomUUID().slice(0, 8)}`;
      const stores = [await open(schema), await open(schema)];
      try {
        const now = new Date(Date.now() - 1000);
        for (let i = 0; i < 20; i += 1) await stores[0]!.insertTransaction(pothole(i % 2 === 0 ? 'a' : 'b', now));
        const batches = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            stores[i % 2]!.leaseDeliveries({
              owner: `w${i}`,
              limit: 5,
              leaseMs: 60_000,
              now: new Date(),
              ...(i % 3 === 0 ? {} : { targets: ['b', 'a'] }),
              perTarget: 3,
            }),
          ),
        );
        const leased = batches.flat();
        expect(new Set(leased.map((d) => d.id)).size).toBe(leased.length);
        expect([leased.filter((d) => d.target === 'a').length, leased.filter((d) => d.target === 'b').length]).toEqual([3, 3]);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('leases through per-target indexes with 100,000 queued: query plans on an analysed table, and the oldest due first', async () => {
      const schema = `plans_${randomUUID().slice(0, 8)}`;
      (await open(schema)).close();
      const s = `"${schema}"`;
      const client = new pg.Pool({ connectionString: connection(), max: 1 });
      const at = BACKLOG_AT;
      try {
        await client.query(`INSERT INTO ${s}.transactions (id, council, type, idempotency_key, envelope, created_at)
          SELECT 'tx-' || lpad(i::text, 6, '0'), 'E07000223', 'street.report', 'key-' || i, '{}'::jsonb, '${at}' FROM generate_series(1, 100000) i`);
        // Nine in ten for one target, the rest for another, a third of them delivered; the first 40
        // leased, and half of those leases ran out.
        await client.query(`INSERT INTO ${s}.deliveries (id, transaction_id, council, target, mode, link_order, state, attempts, next_attempt_at, lease_owner, lease_expires_at, created_at, updated_at)
          SELECT 'd-' || lpad(i::text, 6, '0'), 'tx-' || lpad(i::text, 6, '0'), 'E07000223', CASE WHEN i % 10 = 0 THEN 'quiet' ELSE 'busy' END, 'one', 0,
            CASE WHEN i % 3 = 0 AND i > 40 THEN 'delivered' ELSE 'pending' END, 0, '${at}'::timestamptz + i * interval '1 second',
            CASE WHEN i <= 40 THEN 'worker-a' END, CASE WHEN i <= 20 THEN '2026-03-02T08:00:00Z'::timestamptz WHEN i <= 40 THEN '2026-03-06T09:00:00Z'::timestamptz END,
            '${at}', '${at}'
          FROM generate_series(1, 100000) i`);
        await client.query(
          `INSERT INTO ${s}.queue_depth (target, shard, pending) SELECT target, 0, COUNT(*) FROM ${s}.deliveries WHERE state = 'pending' GROUP BY target`,
        );
        await client.query(`ANALYZE ${s}.deliveries`);
        await client.query(`ANALYZE ${s}.transactions`);
        const sql = postgresLeaseQueries(s);
        const now = LEASE_AT;
        const plan = async (text: string, params: unknown[]) =>
          (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, params)).rows.map((r) => r['QUERY PLAN']).join('\n');
        for (const [name, text, params, index] of [
          ['ready', sql.ready, ['busy', now, 8], 'deliveries_ready'],
          ['expired', sql.expired, ['busy', now, 8], 'deliveries_leased'],
          ['live', sql.live, ['busy', now], 'deliveries_leased'],
          ['expireOwner', sql.expireOwner, [now, 'worker-a', now], 'deliveries_leased'],
          // A hand-off's check for anything of the target waiting: both of its EXISTS through an index.
          ['waiting (ready)', sql.waiting, ['busy', now], 'deliveries_ready'],
          ['waiting (expired)', sql.waiting, ['busy', now], 'deliveries_leased'],
        ] as const) {
          const shown = await plan(text, [...params]);
          expect([name, shown]).toEqual([name, expect.stringMatching(new RegExp(`Index (Only )?Scan using ${index} on deliveries`))]);
          expect([name, shown]).not.toEqual([name, expect.stringMatching(/Seq Scan on deliveries/)]);
        }
      } finally {
        await client.end();
      }
      const store = await open(schema);
      try {
        await expectFirstLeases(store, { total: 66_680, byTarget: { busy: 60_012, quiet: 6_668 } });
      } finally {
        await store.close();
      }
    }, 120_000);

    it('upgrades a version 2 schema: attempts kept, outcome unknown allowed, queue depth counted', async () => {
      const schema = `upgrade_${randomUUID().slice(0, 8)}`;
      const s = `"${schema}"`;
      const client = new pg.Pool({ connectionString: connection(), max: 1 });
      const at = '2026-03-02T09:00:00.000Z';
      try {
        await client.query(`CREATE SCHEMA ${s}`);
        await client.query(
          `CREATE TABLE ${s}.schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`,
        );
        for (const migration of POSTGRES_MIGRATIONS.filter((m) => m.version <= 2)) {
          await client.query(migration.sql.replaceAll('{schema}', s));
          await client.query(`INSERT INTO ${s}.schema_migrations (version, name, applied_at) VALUES ($1, $2, now())`, [
            migration.version,
            migration.name,
          ]);
        }
        await client.query(
          `INSERT INTO ${s}.transactions (id, council, type, idempotency_key, envelope, created_at) VALUES ('tx-1', $1, 'street.report', 'k1', $2::jsonb, $3)`,
          [COUNCIL, JSON.stringify(pothole('confirm').envelope), at],
        );
        for (const [id, target, order, state, attempts] of [
          ['d-1', 'confirm', 0, 'pending', 1],
          ['d-2', 'confirm', 1, 'pending', 0],
          ['d-3', 'echo', 2, 'delivered', 1],
        ] as const) {
          await client.query(
            `INSERT INTO ${s}.deliveries (id, transaction_id, council, target, mode, link_order, state, attempts, next_attempt_at, created_at, updated_at) VALUES ($1, 'tx-1', $2, $3, 'all', $4, $5, $6, $7, $7, $7)`,
            [id, COUNCIL, target, order, state, attempts, at],
          );
        }
        await client.query(
          `INSERT INTO ${s}.attempts (delivery_id, attempt, started_at, finished_at, outcome, classification) VALUES ('d-1', 1, $1, $1, 'failed', 'retryable')`,
          [at],
        );
      } finally {
        await client.end();
      }
      const store = await open(schema);
      try {
        await expectUpgraded(store);
        // The reporting rollups start with the history the schema holds.
        const rows = await store.readRollups({
          council: COUNCIL,
          fromDay: '2026-03-02',
          toDay: '2026-03-03',
          groupBy: ['channel', 'target'],
          filters: [],
          rows: 'all',
        });
        expect(rows.map((r) => [r.channel, r.target, r.received, r.completed, r.queued, r.delivered])).toEqual(
          expect.arrayContaining([
            ['web', '', 1, 1, 0, 0],
            ['web', 'confirm', 0, 0, 2, 0],
            ['web', 'echo', 0, 0, 0, 1],
          ]),
        );
      } finally {
        await store.close();
      }
    });

    it('completes every delivery exactly once with three worker processes leasing from one database', async () => {
      const schema = `workers_${randomUUID().slice(0, 8)}`;
      const store = await open(schema);
      try {
        const now = new Date(Date.now() - 1000);
        const inserted: string[] = [];
        for (let i = 0; i < 200; i += 1) {
          const input = pothole(`target-${i % 4}`, now);
          await store.insertTransaction(input);
          inserted.push(input.deliveries[0]!.id);
        }
        const started = Date.now();
        const reports = await runWorkers(connection(), schema, 3, 90_000);
        expect(Date.now() - started).toBeLessThan(90_000);

        const leased = reports.flatMap((r) => r.leased);
        const completed = reports.flatMap((r) => r.completed);
        expect(reports.flatMap((r) => r.foreign)).toEqual([]);
        expect(new Set(leased).size).toBe(leased.length);
        expect(completed).toHaveLength(200);
        expect(new Set(completed)).toEqual(new Set(inserted));
        // The race was real: more than one process did some of the work.
        expect(reports.filter((r) => r.completed.length > 0).length).toBeGreaterThan(1);

        for (const id of inserted) {
          const attempts = await store.listAttempts(id);
          expect(attempts.map((a) => a.outcome)).toEqual(['delivered']);
        }
        const audit = await store.listAudit(COUNCIL);
        expect(audit.filter((e) => e.action === 'delivery.delivered')).toHaveLength(200);
        expect(new Set(audit.filter((e) => e.action === 'delivery.delivered').map((e) => e.deliveryId)).size).toBe(200);
        expect(verifyAuditChain(audit)).toEqual({ ok: true });
        expect(await store.leaseDeliveries({ owner: 'late', limit: 10, leaseMs: 1000, now: new Date() })).toEqual([]);
      } finally {
        await store.close();
      }
    }, 120_000);
  });
}

if (availability.binaries) {
  describePostgres(availability.binaries);
} else if (availability.mustFail) {
  describe('PostgreSQL store', () => {
    it('needs PostgreSQL installed in CI', () => {
      throw new Error(`CI=true but ${availability.reason}`);
    });
  });
} else {
  console.warn(availability.reason);
  describe.skip(`PostgreSQL store (${availability.reason})`, () => {
    it('is skipped', () => undefined);
  });
}

describe('group commit', () => {
  it('writes an item alone at once, those arriving meanwhile together, and one failing item alone', async () => {
    const batches: number[][] = [];
    const write = groupCommits(async (items: readonly number[]) => {
      batches.push([...items]);
      await new Promise((resolve) => setTimeout(resolve, 10));
      if (items.includes(13)) throw new Error('thirteen');
      // An odd item after another odd one in the same batch waits for the next batch.
      let odd = false;
      return items.map((i) => {
        if (i % 2 === 0) return i * 10;
        if (odd) return AGAIN;
        odd = true;
        return i * 10;
      });
    }, 4);
    const first = write(0);
    const rest = [2, 3, 4, 5, 13, 6].map((i) => write(i).catch((error: Error) => error.message));
    expect(await first).toBe(0);
    expect(await Promise.all(rest)).toEqual([20, 30, 40, 50, 'thirteen', 60]);
    expect(batches[0]).toEqual([0]);
    // The next four together; 5 clashes with 3 and goes again with the next; the batch with 13 fails and is retried one by one.
    expect(batches[1]).toEqual([2, 3, 4, 5]);
    expect(batches.slice(2)).toEqual([[5, 13, 6], [5], [13], [6]]);
  });
});
