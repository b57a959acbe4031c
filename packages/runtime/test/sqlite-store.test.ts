import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createTransaction } from '@lgx/core';
import { SQLITE_LEASE_QUERIES } from '../src/store/sqlite-lease-queries';
import { SQLITE_MIGRATIONS } from '../src/store/sqlite-schema';
import { createSqliteStore } from '../src/store/sqlite-store';
import { describeStoreConformance } from '@lgx/runtime/testing';
import { verifyAuditChain } from '../src/store/audit-chain';
import type { NewTransaction, Store } from '../src/store/store-types';
import { BACKLOG_AT, expectFirstLeases, expectUpgraded, LEASE_AT } from './helpers/backlog-leases';

const dir = mkdtempSync(join(tmpdir(), 'lgx-sqlite-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function open(file: string): Promise<Store> {
  const store = createSqliteStore({ file });
  await store.migrate();
  return store;
}

function pothole(target = 'confirm', now = new Date()): NewTransaction {
  const envelope = createTransaction(
    'street.report',
    { kind: 'pothole', description: 'Pothole', location: { usrn: '8400709' } },
    { council: 'E07000223', channel: 'web' },
  );
  return {
    envelope,
    deliveries: [{ id: randomUUID(), target, mode: 'one', order: 0, state: 'pending' }],
    audit: { actor: 'key-test', action: 'transaction.accepted' },
    now,
  };
}

const sharedFile = join(dir, 'conformance.db');
describeStoreConformance('sqlite', () => open(sharedFile));

describe('SQLite store', () => {
  it('keeps transactions, deliveries and the audit chain across close and reopen, and migrates again safely', async () => {
    const file = join(dir, `reopen-${randomUUID()}.db`);
    const first = await open(file);
    const input = pothole();
    const { id } = await first.insertTransaction(input);
    await first.close();

    const second = await open(file);
    try {
      expect((await second.getTransaction(id))?.envelope).toEqual(input.envelope);
      expect((await second.listDeliveries(id)).map((d) => d.state)).toEqual(['pending']);
      const audit = await second.listAudit('E07000223');
      expect(audit.map((e) => e.action)).toEqual(['transaction.accepted']);
      expect(verifyAuditChain(audit)).toEqual({ ok: true });
      expect(await second.insertTransaction({ ...pothole(), envelope: { ...input.envelope, id: randomUUID() } })).toEqual({
        id,
        duplicate: true,
      });
    } finally {
      await second.close();
    }
  });

  it('never leases the same delivery through two connections to one file', async () => {
    const file = join(dir, `two-connections-${randomUUID()}.db`);
    const a = await open(file);
    const b = await open(file);
    try {
      for (let i = 0; i < 40; i += 1) await (i % 2 === 0 ? a : b).insertTransaction(pothole());
      const now = new Date();
      const rounds = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 === 0 ? a : b).leaseDeliveries({ owner: `worker-${i}`, limit: 7, leaseMs: 30_000, now }),
        ),
      );
      const ids = rounds.flat().map((d) => d.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toHaveLength(40);
      // A lease taken through one connection is seen by the other.
      expect(await b.leaseDeliveries({ owner: 'late', limit: 100, leaseMs: 30_000, now })).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('picks up a crashed worker’s lease once it expires', async () => {
    const file = join(dir, `crash-lease-${randomUUID()}.db`);
    const crashed = await open(file);
    const now = new Date('2026-03-02T09:00:00.000Z');
    await crashed.insertTransaction(pothole('confirm', now));
    const [lost] = await crashed.leaseDeliveries({ owner: 'worker-crashed', limit: 1, leaseMs: 30_000, now });
    await crashed.close();
    const survivor = await open(file);
    try {
      expect(
        await survivor.leaseDeliveries({ owner: 'worker-2', limit: 1, leaseMs: 30_000, now: new Date(now.getTime() + 29_000) }),
      ).toEqual([]);
      const [again] = await survivor.leaseDeliveries({
        owner: 'worker-2',
        limit: 1,
        leaseMs: 30_000,
        now: new Date(now.getTime() + 30_001),
      });
      expect(again?.id).toBe(lost?.id);
    } finally {
      await survivor.close();
    }
  });

  it('has a transaction on disk once insertTransaction resolves, even if the process is then killed', async () => {
    const file = join(dir, `kill-${randomUUID()}.db`);
    const script = join(__dirname, 'fixtures', 'insert-then-wait.ts');
    // tsx as a loader in this one process (not the tsx CLI, which runs the script in a grandchild
    // that SIGKILL on the CLI would leave running).
    const child = spawn(process.execPath, ['--import', 'tsx', script, file], {
      cwd: join(__dirname, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let id: string;
    try {
      id = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const match = /inserted (\S+)\n/.exec(stdout);
          if (match?.[1] !== undefined) {
            child.kill('SIGKILL');
            resolve(match[1]);
          }
        });
        child.on('exit', (code, signal) => {
          if (signal !== 'SIGKILL') reject(new Error(`child exited (${String(code)}) before inserting: ${stderr}`));
        });
      });
    } finally {
      // Never leave the child behind, whatever happened.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
    expect(child.signalCode).toBe('SIGKILL');

    const store = await open(file);
    try {
      const stored = await store.getTransaction(id);
      expect(stored?.council).toBe('E07000223');
      expect((await store.listDeliveries(id)).map((d) => d.target)).toEqual(['confirm']);
      expect(verifyAuditChain(await store.listAudit('E07000223'))).toEqual({ ok: true });
    } finally {
      await store.close();
    }
  }, 60_000);

  it('leases through per-target indexes with 100,000 queued: query plans, and the oldest due first', async () => {
    const file = join(dir, `plans-${randomUUID()}.db`);
    (await open(file)).close();
    const db = new Database(file);
    const at = BACKLOG_AT;
    try {
      db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
        INSERT INTO transactions (id, council, type, idempotency_key, envelope, created_at)
        SELECT printf('tx-%06d', i), 'E07000223', 'street.report', 'key-' || i, '{}', '${at}' FROM n`);
      // Nine in ten for one target, the rest for another; the first 40 leased, half of those run out.
      db.exec(`INSERT INTO deliveries (id, transaction_id, council, target, mode, link_order, state, attempts, next_attempt_at, lease_owner, lease_expires_at, created_at, updated_at)
        SELECT printf('d-%06d', rowid), id, council, CASE WHEN rowid % 10 = 0 THEN 'quiet' ELSE 'busy' END, 'one', 0, 'pending', 0,
          strftime('%Y-%m-%dT%H:%M:%fZ', '${at}', '+' || rowid || ' seconds'),
          CASE WHEN rowid <= 40 THEN 'worker-a' END, CASE WHEN rowid <= 20 THEN '2026-03-02T08:00:00.000Z' WHEN rowid <= 40 THEN '2026-03-06T09:00:00.000Z' END,
          '${at}', '${at}'
        FROM transactions`);
      db.exec(
        'INSERT INTO queue_depth (target, pending) SELECT target, COUNT(*) FROM deliveries GROUP BY target ON CONFLICT (target) DO UPDATE SET pending = excluded.pending',
      );
      const plan = (sql: string, ...params: unknown[]) =>
        (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join('\n');
      const now = LEASE_AT;
      // Without statistics (as a store runs) and with them (after ANALYZE), the same plans.
      for (const analysed of [false, true]) {
        if (analysed) db.exec('ANALYZE');
        expect(plan(SQLITE_LEASE_QUERIES.ready, 'busy', now, 8)).toMatch(
          /^SEARCH d USING INDEX deliveries_ready \(target=\? AND next_attempt_at<\?\)\nSEARCH t USING INDEX sqlite_autoindex_transactions_1 \(id=\?\)$/,
        );
        // Leased rows are few (the workers' concurrency): sorting them into due order is bounded too.
        expect(plan(SQLITE_LEASE_QUERIES.expired, 'busy', now, 8)).toMatch(
          /^SEARCH d USING INDEX deliveries_leased \(target=\? AND lease_expires_at<\?\)\nSEARCH t USING INDEX sqlite_autoindex_transactions_1 \(id=\?\)\nUSE TEMP B-TREE FOR ORDER BY$/,
        );
        expect(plan(SQLITE_LEASE_QUERIES.live, 'busy', now)).toMatch(
          /^SEARCH deliveries USING (COVERING )?INDEX deliveries_leased \(target=\? AND lease_expires_at>\?\)$/,
        );
        // A hand-off asks whether anything of the target waits before a new delivery: one probe of each index.
        expect(plan(SQLITE_LEASE_QUERIES.readyWaiting, 'busy', now)).toMatch(
          /^SEARCH deliveries USING (COVERING )?INDEX deliveries_ready \(target=\? AND next_attempt_at<\?\)$/,
        );
        expect(plan(SQLITE_LEASE_QUERIES.expiredWaiting, 'busy', now)).toMatch(
          /^SEARCH deliveries USING (COVERING )?INDEX deliveries_leased \(target=\? AND lease_expires_at<\?\)$/,
        );
        // The index holds only leased rows (as many as the workers' concurrency).
        expect(plan(SQLITE_LEASE_QUERIES.expireOwner, now, 'worker-a', now)).toMatch(
          /^(SEARCH|SCAN) deliveries USING INDEX deliveries_leased\b/,
        );
        expect(
          plan(
            "SELECT transaction_id FROM deliveries WHERE target = ? AND receipt IS NOT NULL AND json_extract(receipt, '$.externalRef') = ? ORDER BY updated_at DESC LIMIT 1",
            'busy',
            'REF-1',
          ),
        ).toMatch(/^SEARCH deliveries USING INDEX deliveries_receipt_ref/);
      }
    } finally {
      db.close();
    }
    const store = await open(file);
    try {
      await expectFirstLeases(store, { total: 100_000, byTarget: { busy: 90_000, quiet: 10_000 } });
    } finally {
      await store.close();
    }
  }, 60_000);

  it('upgrades a version 2 database: attempts kept with their ids, queue depth counted', async () => {
    const file = join(dir, `upgrade-${randomUUID()}.db`);
    const db = new Database(file);
    const at = '2026-03-02T09:00:00.000Z';
    try {
      db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      for (const migration of SQLITE_MIGRATIONS.filter((m) => m.version <= 2)) {
        db.exec(migration.sql);
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, at);
      }
      db.prepare('INSERT INTO transactions (id, council, type, idempotency_key, envelope, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
        'tx-1',
        'E07000223',
        'street.report',
        'k1',
        JSON.stringify(pothole().envelope),
        at,
      );
      const delivery = db.prepare(
        "INSERT INTO deliveries (id, transaction_id, council, target, mode, link_order, state, attempts, next_attempt_at, created_at, updated_at) VALUES (?, 'tx-1', 'E07000223', ?, 'all', ?, ?, ?, ?, ?, ?)",
      );
      delivery.run('d-1', 'confirm', 0, 'pending', 1, at, at, at);
      delivery.run('d-2', 'confirm', 1, 'pending', 0, at, at, at);
      delivery.run('d-3', 'echo', 2, 'delivered', 1, at, at, at);
      const attempt = db.prepare(
        'INSERT INTO attempts (delivery_id, attempt, started_at, finished_at, outcome, classification) VALUES (?, 1, ?, ?, ?, ?)',
      );
      attempt.run('d-3', at, at, 'delivered', null);
      attempt.run('d-1', at, at, 'failed', 'retryable');
    } finally {
      db.close();
    }
    const store = await open(file);
    try {
      await expectUpgraded(store);
      // The reporting rollups start with the history the file holds.
      const rows = await store.readRollups({
        council: 'E07000223',
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
});
