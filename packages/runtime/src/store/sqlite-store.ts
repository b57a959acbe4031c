import Database from 'better-sqlite3';
import type { Envelope, StatusUpdate } from '@lgx/core';
import { chainAuditEntry } from './audit-chain';
import { DATABASE_FILE_MODE, secureDatabaseFile } from './file-mode';
import * as transitions from './delivery-transitions';
import type { RollupFacts, Transition } from './delivery-transitions';
import { auditFilter, councilStatusFilter, deadLetterFilter, transactionFilter } from './list-filters';
import { claimDutySql, dutyCursorName, dutyValue } from './duty-sql';
import { insertSql, SqlParams } from './sql-params';
import { SQLITE_LEASE_QUERIES } from './sqlite-lease-queries';
import { sqliteRefreshMethods } from './sqlite-refresh-queries';
import { sqliteBatchReads } from './sqlite-read-queries';
import { sqliteKeyMethods, writeSqliteSealing } from './sqlite-key-queries';
import { sqliteRetentionMethods } from './sqlite-retention';
import { endedAtSql } from './retention-sql';
import { sqliteEraseMethods } from './sqlite-erase-queries';
import { sqliteApiKeyMethods } from './sqlite-api-key-queries';
import { SQLITE_MIGRATIONS } from './sqlite-schema';
import { ROW_WRITES } from './row-writes';
import { foldRebuildRows, rebuildAudit, RollupAccumulator, type RollupChange, type RollupSums } from './report-rollups';
import { deliveryTotalsOf, numericRow, rebuildRow, rollupSql, subjectOf } from './rollup-sql';
import { rowMapper, SQLITE_ROWS } from './store-rows';
import type {
  AuditEntry,
  AuditInput,
  InsertedTransaction,
  NewTransaction,
  Store,
  StoredDelivery,
  StoredStatusUpdate,
  TargetActivity,
} from './store-types';
import { targetActivitySql, transactionStateSql } from './transaction-state-sql';

export interface SqliteStoreOptions {
  /** Path of the database file; created if missing. */
  file: string;
  /** How long a writer waits for another process's write lock before failing (default 5000 ms). */
  busyTimeoutMs?: number;
  /**
   * Permissions of the database file and its `-wal` and `-shm` files (default 0o600, owner only: they
   * hold personal data). Files that grant more are tightened on open.
   */
  fileMode?: number;
}

type Db = Database.Database;

const rows = rowMapper(SQLITE_ROWS);
const INSERT_TRANSACTION = insertSql(
  'transactions',
  ['id', 'council', 'type', 'idempotency_key', 'envelope', 'created_at', 'channel', 'lgsl', 'service', 'rating', 'state', 'ended_at'],
  false,
);
const RESTATE = `UPDATE transactions SET state = ${transactionStateSql((name) => name)}, ended_at = ${endedAtSql((name) => name, '?')} WHERE id = ?`;
const ROLLUPS = rollupSql(
  (name) => name,
  () => '?',
);
/** Transactions the rebuild reads per query. */
const REBUILD_PAGE = 5000;
/** The migration that adds the rollups: applying it to a file with transactions builds them. */
const ROLLUPS_MIGRATION = 5;
const INSERT_DELIVERY = insertSql('deliveries', ROW_WRITES.newDelivery.columns, false);
const updateSql = (columns: readonly string[]): string => `UPDATE deliveries SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`;
const UPDATE_DELIVERY = updateSql(ROW_WRITES.delivery.columns);
const UPDATE_LEASE = updateSql(ROW_WRITES.lease.columns);
const INSERT_ATTEMPT = insertSql('attempts', ROW_WRITES.attempt.columns, false);
const INSERT_AUDIT = insertSql('audit', ROW_WRITES.audit.columns, false);

/**
 * The embedded store: one SQLite file, no server. Several processes may share the file: every write
 * runs in a BEGIN IMMEDIATE transaction, which takes the file's write lock up front, so two leasers
 * are serialised and can never both see a delivery as free.
 *
 * The driver is synchronous; the async methods only adapt it to the Store interface.
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  secureDatabaseFile(options.file, options.fileMode ?? DATABASE_FILE_MODE);
  const db: Db = new Database(options.file, { timeout: options.busyTimeoutMs ?? 5000 });
  // WAL lets readers run beside the one writer; synchronous=FULL fsyncs the WAL on every commit, so a
  // transaction is on disk before insertTransaction resolves and survives kill -9 or power loss.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
  db.pragma('foreign_keys = ON');
  // Freed cells and pages are zeroed, so a value overwritten (a subject erased) or deleted leaves no
  // copy in the file's free space.
  db.pragma('secure_delete = ON');
  // The indexes a delivery touches stay in memory as the tables grow (SQLite's default is 2 MiB).
  db.pragma('cache_size = -32768');

  // Statements are compiled once and reused: preparing costs more than running most of them.
  const statements = new Map<string, Database.Statement>();
  const prep = (sql: string): Database.Statement => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };

  /** Runs `fn` in BEGIN IMMEDIATE: a deferred transaction that later upgrades to a writer can deadlock
   *  with another process and fail with SQLITE_BUSY regardless of busy_timeout. */
  const write = <R>(fn: () => R): R => db.transaction(fn).immediate();

  /** A rollup read's rows, counts as numbers; prepared each time, as its text varies with the query. */
  const numericRows = <T extends Record<string, unknown>>({ sql, params }: { sql: string; params: unknown[] }): T[] =>
    db
      .prepare(sql)
      .all(...params)
      .map((row) => numericRow<T>(row as Record<string, unknown>));

  /**
   * Group commit: writes that arrive in the same turn of the event loop share one IMMEDIATE
   * transaction, so one fsync covers all of them. Each runs in its own savepoint, so one that fails
   * leaves the others in; every caller's promise settles only after the commit, so nothing is
   * acknowledged before it is on disk.
   *
   * Leases, heartbeats and lease releases need not survive a power cut (a lost lease is one that ran
   * out: the delivery is leased again, and its idempotency key covers a vendor call already made), so
   * a batch of nothing else commits without waiting for the disk (synchronous=NORMAL; WAL order makes
   * it durable with the next durable commit, and kill -9 loses nothing: it is in the WAL file). Leases
   * run after the batch's other writes, so a lease taken in the same turn as an attempt's result
   * sees that result's lease gone: recording one delivery and leasing the next share one commit.
   */
  type GroupedWrite = { fn: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void; durable: boolean };
  let first: GroupedWrite[] = [];
  let last: GroupedWrite[] = [];
  /** Writes summed rollup changes (see report-rollups.ts), inside the caller's write transaction. */
  const writeRollups = ({ rows: sums, buckets }: RollupSums): void => {
    for (const row of sums) prep(ROLLUPS.upsertRow).run(...ROLLUPS.rowValues(row.key, row.add, 0));
    for (const b of buckets) prep(ROLLUPS.upsertBucket).run(...ROLLUPS.bucketValues(b.key, b.bucket, b.add, 0));
  };
  /**
   * While a group commit runs, the rollup changes of the job running now: each job's are added to the
   * batch's once it succeeds, and the batch's sums written before the commit, so a batch of accepts
   * for one service and day changes its rollup row once (in the same commit: nothing is lost).
   */
  let grouping: RollupChange[] | undefined;

  const flush = (): void => {
    const jobs = [...first, ...last];
    first = [];
    last = [];
    if (jobs.length === 0 || !db.open) {
      for (const job of jobs) job.reject(new Error('the SQLite store is closed'));
      return;
    }
    const durable = jobs.some((job) => job.durable);
    const results: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      if (!durable) db.pragma('synchronous = NORMAL');
      write(() => {
        const batch = new RollupAccumulator();
        for (const job of jobs) {
          const changes: RollupChange[] = [];
          grouping = changes;
          try {
            // Inside a transaction, better-sqlite3 runs a nested one as a savepoint.
            results.push({ ok: true, value: db.transaction(job.fn)() });
            batch.add(changes);
          } catch (error) {
            results.push({ ok: false, error });
          } finally {
            grouping = undefined;
          }
        }
        writeRollups(batch.sums());
      });
    } catch (error) {
      // The commit itself failed: nothing of the batch is stored.
      for (const job of jobs) job.reject(error);
      return;
    } finally {
      if (!durable && db.open) db.pragma('synchronous = FULL');
    }
    jobs.forEach((job, i) => {
      const result = results[i]!;
      if (result.ok) job.resolve(result.value);
      else job.reject(result.error);
    });
  };
  const grouped = <R>(fn: () => R, options: { durable?: boolean; last?: boolean } = {}): Promise<R> =>
    new Promise<R>((resolve, reject) => {
      if (first.length === 0 && last.length === 0) setImmediate(flush);
      (options.last ? last : first).push({ fn, resolve: resolve as (value: unknown) => void, reject, durable: options.durable ?? true });
    });

  /** Moves a target's pending count (kept beside every change into or out of 'pending'). */
  const addPending = (target: string, delta: number): void => {
    if (delta === 0) return;
    prep(
      'INSERT INTO queue_depth (target, pending) VALUES (?, ?) ON CONFLICT (target) DO UPDATE SET pending = pending + excluded.pending',
    ).run(target, delta);
  };

  const appendAuditSync = (input: AuditInput, now: Date): AuditEntry => {
    const last = prep('SELECT seq, hash FROM audit WHERE council = ? ORDER BY seq DESC LIMIT 1').get(input.council) as
      { seq: number; hash: string } | undefined;
    const entry = chainAuditEntry(input, last, now);
    prep(INSERT_AUDIT).run(...ROW_WRITES.audit.values(entry));
    return entry;
  };

  /** Adds a transition's rollup changes: to its group commit's, or at once outside one. */
  const addRollups = (changes: readonly RollupChange[]): void => {
    if (changes.length === 0) return;
    if (grouping) grouping.push(...changes);
    else writeRollups(new RollupAccumulator().add(changes).sums());
  };

  /** Writes what a transition of the delivery state machine says, inside the caller's write transaction. */
  const apply = (t: Transition, now: Date): void => {
    for (const attempt of t.attempts) prep(INSERT_ATTEMPT).run(...ROW_WRITES.attempt.values(attempt));
    for (const delivery of t.deliveries) prep(UPDATE_DELIVERY).run(...ROW_WRITES.delivery.values(delivery));
    for (const delivery of t.leases) prep(UPDATE_LEASE).run(...ROW_WRITES.lease.values(delivery));
    for (const entry of t.audit) appendAuditSync(entry, now);
    for (const [target, delta] of t.pending) addPending(target, delta);
    for (const id of t.restate) prep(RESTATE).run(now.toISOString(), id);
    addRollups(t.rollups);
  };

  /** What a delivery's rollups need: its transaction's report columns and, for an arrival, whether another came first. */
  const rollupFacts = (delivery: StoredDelivery, arriving: boolean): RollupFacts | undefined => {
    const row = prep(ROLLUPS.subject).get(delivery.transactionId) as Record<string, unknown> | undefined;
    if (!row) return undefined;
    const completedBefore =
      arriving && delivery.mode !== 'shadow' && prep(ROLLUPS.completedBefore).get(delivery.transactionId, delivery.id) !== undefined;
    return { subject: subjectOf(row, SQLITE_ROWS), completedBefore };
  };

  const getDelivery = (id: string): StoredDelivery | undefined => {
    const row = prep('SELECT * FROM deliveries WHERE id = ?').get(id);
    return row === undefined ? undefined : rows.delivery(row);
  };

  /** The envelope a transaction holds now (undefined once purged). */
  const storedEnvelope = (transactionId: string): Envelope | undefined => {
    const row = prep('SELECT envelope FROM transactions WHERE id = ?').get(transactionId) as { envelope: string | null } | undefined;
    return row?.envelope == null ? undefined : SQLITE_ROWS.json<Envelope>(row.envelope);
  };

  /** The next skipped link of a fallback chain after `dead`, by order. */
  const nextFallbackLink = (dead: StoredDelivery): StoredDelivery | undefined => {
    const row = prep(
      `SELECT * FROM deliveries WHERE transaction_id = ? AND mode = 'fallback' AND state = 'skipped' AND link_order > ?
       ORDER BY link_order, id LIMIT 1`,
    ).get(dead.transactionId, dead.order);
    return row === undefined ? undefined : rows.delivery(row);
  };

  /**
   * One target's leasable rows, at most `room`: first those whose lease ran out (their holder died
   * mid-attempt), then the ready ones in due order.
   */
  const leasable = (target: string, at: string, room: number): unknown[] => {
    // Most leases find nothing (a worker asks again whenever a slot comes free): an index probe
    // answers that for a fraction of the cost of the row query with its join.
    const expired = prep(SQLITE_LEASE_QUERIES.expiredWaiting).get(target, at)
      ? prep(SQLITE_LEASE_QUERIES.expired).all(target, at, room)
      : [];
    if (expired.length >= room || !prep(SQLITE_LEASE_QUERIES.readyWaiting).get(target, at)) return expired;
    return [...expired, ...prep(SQLITE_LEASE_QUERIES.ready).all(target, at, room - expired.length)];
  };

  /** Live leases a target holds now. */
  const liveLeases = (target: string, at: string): number => (prep(SQLITE_LEASE_QUERIES.live).get(target, at) as { n: number }).n;

  /** Each lease call starts the round of targets one further on. */
  let turn = 0;

  /** Recomputes the rollups from the stored transactions, inside the caller's write transaction. */
  const rebuildSync = (actor: string, now: Date): { transactions: number } => {
    const into = new RollupAccumulator();
    let transactions = 0;
    const councils = new Map<string, number>();
    for (let after = ''; ;) {
      const page = prep(ROLLUPS.rebuildPage)
        .all(after, REBUILD_PAGE)
        .map((raw) => rebuildRow(raw as Record<string, unknown>, SQLITE_ROWS));
      if (page.length === 0) break;
      transactions += foldRebuildRows(page, into, councils);
      after = page[page.length - 1]!.id;
    }
    for (const sql of ROLLUPS.clear) prep(sql).run();
    writeRollups(into.sums());
    for (const entry of rebuildAudit(councils, actor)) appendAuditSync(entry, now);
    return { transactions };
  };

  const store: Store = {
    ...sqliteBatchReads(prep),
    ...sqliteKeyMethods({ prep, write }),
    ...sqliteEraseMethods({ db, prep, write, apply, rollupFacts, delivery: rows.delivery }),
    ...sqliteApiKeyMethods({ prep, write }),
    async migrate() {
      db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      // In one IMMEDIATE transaction so two processes starting together cannot both apply a migration.
      write(() => {
        const applied = new Set((prep('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version));
        for (const migration of SQLITE_MIGRATIONS) {
          if (applied.has(migration.version)) continue;
          db.exec(migration.sql);
          prep('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
            migration.version,
            migration.name,
            new Date().toISOString(),
          );
          // The rollups start with what the file already holds, so reports cover its history.
          if (migration.version === ROLLUPS_MIGRATION && prep('SELECT 1 FROM transactions LIMIT 1').get() !== undefined)
            rebuildSync('system', new Date());
        }
      });
    },

    async close() {
      // Writes already queued are committed (or refused) before the file closes.
      flush();
      if (db.open) db.close();
    },

    async insertTransaction(input: NewTransaction) {
      const { envelope, now, lease } = input;
      return grouped((): InsertedTransaction => {
        const existing = prep('SELECT id FROM transactions WHERE council = ? AND idempotency_key = ?').get(
          envelope.council,
          envelope.idempotencykey,
        ) as { id: string } | undefined;
        if (existing) return { id: existing.id, duplicate: true, ...(lease ? { leased: [] } : {}) };
        const at = now.toISOString();
        // Decided before the new rows exist, so only deliveries already queued can be in front.
        const handed = new Set(
          lease
            ? transitions
                .handOffCandidates(input.deliveries, lease.targets)
                .filter(
                  (d) =>
                    !prep(SQLITE_LEASE_QUERIES.readyWaiting).get(d.target, at) &&
                    !prep(SQLITE_LEASE_QUERIES.expiredWaiting).get(d.target, at),
                )
                .filter((d) => lease.perTarget === undefined || liveLeases(d.target, at) < lease.perTarget)
                .map((d) => d.id)
            : [],
        );
        const accepted = transitions.acceptTransition(input, handed);
        const { transaction: t } = accepted;
        const r = t.report;
        prep(INSERT_TRANSACTION).run(
          t.id,
          t.council,
          t.type,
          t.idempotencyKey,
          JSON.stringify(t.envelope),
          t.createdAt,
          r.channel,
          r.lgsl,
          r.service,
          r.rating,
          t.state,
          // A transaction accepted with nothing to deliver ends as it is accepted.
          accepted.deliveries.some((d) => d.state === 'pending') ? null : t.createdAt,
        );
        if (input.sealing) writeSqliteSealing(prep, t.council, t.id, input.sealing);
        for (const delivery of accepted.deliveries) prep(INSERT_DELIVERY).run(...ROW_WRITES.newDelivery.values(delivery));
        appendAuditSync(accepted.audit, now);
        for (const [target, n] of accepted.pending) addPending(target, n);
        addRollups(accepted.rollups);
        return { id: t.id, duplicate: false, ...(lease ? { leased: accepted.leased } : {}) };
      });
    },

    async getTransaction(id) {
      const row = prep('SELECT * FROM transactions WHERE id = ?').get(id);
      return row === undefined ? undefined : rows.transaction(row);
    },

    async listTransactions(query) {
      const p = new SqlParams(false);
      const sql = `SELECT * FROM transactions WHERE ${transactionFilter(p, query)} ORDER BY created_at DESC, id DESC LIMIT ${p.add(query.limit)}`;
      return prep(sql)
        .all(...p.values)
        .map(rows.transaction);
    },

    async getDelivery(id) {
      return getDelivery(id);
    },

    async listDeliveries(transactionId) {
      return prep('SELECT * FROM deliveries WHERE transaction_id = ? ORDER BY link_order, created_at, id')
        .all(transactionId)
        .map(rows.delivery);
    },

    async listAttempts(deliveryId) {
      return prep('SELECT * FROM attempts WHERE delivery_id = ? ORDER BY id').all(deliveryId).map(rows.attempt);
    },

    async leaseDeliveries({ owner, limit, leaseMs, now, targets, perTarget }) {
      if (limit <= 0 || (targets !== undefined && targets.length === 0)) return [];
      const at = now.toISOString();
      const expires = new Date(now.getTime() + leaseMs).toISOString();
      const round = turn++;
      return grouped(
        () => {
          const order = transitions.rotate(
            targets ??
              (prep('SELECT target FROM queue_depth WHERE pending > 0 ORDER BY target').all() as Array<{ target: string }>).map(
                (r) => r.target,
              ),
            round,
          );
          const candidates: unknown[][] = [];
          for (const target of order) {
            const room = perTarget === undefined ? limit : Math.min(limit, perTarget - liveLeases(target, at));
            if (room > 0) candidates.push(leasable(target, at, room));
          }
          const leased = transitions.leaseTransition(transitions.pickFairly(candidates, limit).map(rows.leasable), owner, expires, now);
          apply(leased, now);
          return leased.leased;
        },
        { durable: false, last: true },
      );
    },

    async completeAttempt({ deliveryId, owner, attempt, outcome, now }) {
      return grouped(() => {
        const current = getDelivery(deliveryId);
        if (!current || current.state !== 'pending' || current.leaseOwner !== owner) return false;
        const facts = outcome.kind === 'retry' ? undefined : rollupFacts(current, outcome.kind === 'delivered');
        const t = transitions.outcomeTransition(current, { owner, attempt, outcome, now }, facts);
        if (!t) return false;
        const next = t.promoteFallback ? nextFallbackLink(current) : undefined;
        apply(transitions.withFallback(t, next, current, now, facts), now);
        return true;
      });
    },

    async releaseLease(deliveryId, owner) {
      await grouped(
        () => {
          prep('UPDATE deliveries SET lease_owner = NULL, lease_expires_at = NULL WHERE id = ? AND lease_owner = ?').run(deliveryId, owner);
        },
        { durable: false },
      );
    },

    async heartbeat(worker, now) {
      const at = now.toISOString();
      return grouped(
        () => {
          prep(
            `INSERT INTO workers (id, host, pid, lease_ms, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid, lease_ms = excluded.lease_ms, heartbeat_at = excluded.heartbeat_at`,
          ).run(worker.id, worker.host, worker.pid, worker.leaseMs, at, at);
          const renewed = prep(SQLITE_LEASE_QUERIES.expireOwner).run(new Date(now.getTime() + worker.leaseMs).toISOString(), worker.id, at);
          return renewed.changes;
        },
        { durable: false },
      );
    },

    async listWorkers() {
      return prep('SELECT * FROM workers ORDER BY started_at, id').all().map(rows.worker);
    },

    async releaseWorker(id, now) {
      const at = now.toISOString();
      return grouped(
        () => {
          const ended = prep(SQLITE_LEASE_QUERIES.expireOwner).run(at, id, at);
          prep('DELETE FROM workers WHERE id = ?').run(id);
          return ended.changes;
        },
        { durable: false },
      );
    },

    async queueDepth() {
      return rows.queueDepth(prep('SELECT target, pending FROM queue_depth WHERE pending <> 0 ORDER BY target').all());
    },

    async inFlight(now) {
      const found = prep(
        `SELECT target, COUNT(*) AS n FROM deliveries WHERE state = 'pending' AND lease_owner IS NOT NULL AND lease_expires_at > ? GROUP BY target`,
      ).all(now.toISOString()) as Array<{ target: string; n: number }>;
      return Object.fromEntries(found.map((r) => [r.target, Number(r.n)]));
    },

    async targetActivity({ council, targets, since, cap }) {
      const out: TargetActivity = {};
      for (const target of targets) {
        const p = new SqlParams(false);
        const sql = targetActivitySql((name) => name, p, { council, target, since: since.toISOString(), cap });
        const row = prep(sql).get(...p.values) as {
          oldest_queued_at: string | null;
          retrying: number;
          dead: number;
          delivered_since: number;
        };
        out[target] = {
          ...(row.oldest_queued_at !== null ? { oldestQueuedAt: row.oldest_queued_at } : {}),
          retrying: row.retrying,
          dead: row.dead,
          deliveredSince: row.delivered_since,
        };
      }
      return out;
    },

    async listDeadLetters(options = {}) {
      const p = new SqlParams(false);
      const sql = `SELECT * FROM deliveries WHERE ${deadLetterFilter(p, options)} ORDER BY updated_at DESC, rowid DESC LIMIT ${p.add(options.limit ?? -1)}`;
      return prep(sql)
        .all(...p.values)
        .map(rows.delivery);
    },

    async replayDeadLetter(deliveryId, { actor, reason, envelope, sealing, now }) {
      return write(() => {
        const current = getDelivery(deliveryId);
        const t =
          current &&
          transitions.replayTransition(
            current,
            storedEnvelope(current.transactionId),
            { actor, reason, now, ...(envelope ? { envelope } : {}) },
            rollupFacts(current, false),
          );
        if (!current || !t) return false;
        if (t.envelope) {
          prep('UPDATE transactions SET envelope = ?, purged_at = NULL, key_id = NULL WHERE id = ?').run(
            JSON.stringify(t.envelope),
            current.transactionId,
          );
          prep('DELETE FROM subject_index WHERE transaction_id = ?').run(current.transactionId);
          if (sealing) writeSqliteSealing(prep, t.envelope.council, current.transactionId, sealing);
        }
        apply(t, now);
        return true;
      });
    },

    async discardDeadLetter(deliveryId, { actor, reason, now }) {
      return write(() => {
        const current = getDelivery(deliveryId);
        const t = current && transitions.discardTransition(current, { actor, reason, now }, rollupFacts(current, false));
        if (!t) return false;
        apply(t, now);
        return true;
      });
    },

    async appendAudit(entry, now) {
      return write(() => appendAuditSync(entry, now));
    },

    async listAudit(council, options = {}) {
      const p = new SqlParams(false);
      const sql = `SELECT * FROM audit WHERE ${auditFilter(p, council, options)} ORDER BY seq LIMIT ${p.add(options.limit ?? -1)}`;
      return prep(sql)
        .all(...p.values)
        .map(rows.audit);
    },

    async saveStatusUpdate({ target, update, now, keyId }) {
      return write((): StoredStatusUpdate | undefined => {
        const transactionId = update.transactionId ?? findTransactionByReceipt(db, target, update);
        const result = db
          .prepare(
            `INSERT INTO status_updates (${ROW_WRITES.statusUpdate.columns.join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (target, external_ref, update_id) WHERE update_id IS NOT NULL DO NOTHING`,
          )
          .run(...ROW_WRITES.statusUpdate.values({ transactionId, target, update, now, keyId }));
        if (result.changes === 0) return undefined;
        return rows.statusUpdate(prep('SELECT * FROM status_updates WHERE id = ?').get(Number(result.lastInsertRowid)));
      });
    },

    async listStatusUpdates(transactionId) {
      return prep('SELECT * FROM status_updates WHERE transaction_id = ? ORDER BY id').all(transactionId).map(rows.statusUpdate);
    },

    async listCouncilStatusUpdates(options) {
      const p = new SqlParams(false);
      const sql = `SELECT u.* FROM status_updates u JOIN transactions t ON t.id = u.transaction_id WHERE ${councilStatusFilter(p, options)} ORDER BY u.id LIMIT ${p.add(options.limit)}`;
      return db
        .prepare(sql)
        .all(...p.values)
        .map(rows.statusUpdate);
    },

    ...sqliteRefreshMethods({ prep, grouped }),

    async getCursor(name) {
      const row = prep('SELECT cursor FROM cursors WHERE name = ?').get(name) as { cursor: string } | undefined;
      return row?.cursor;
    },

    async setCursor(name, cursor) {
      write(() => {
        prep(
          'INSERT INTO cursors (name, cursor, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at',
        ).run(name, cursor, new Date().toISOString());
      });
    },

    async claimDuty({ duty, owner, until, now }) {
      return write(
        () =>
          prep(claimDutySql('cursors', false)).get(
            dutyCursorName(duty),
            dutyValue(owner, until),
            now.toISOString(),
            now.toISOString(),
            owner,
          ) !== undefined,
      );
    },

    async readRollups(query) {
      return numericRows(ROLLUPS.readRows(query));
    },

    async readDeliverySeconds(query) {
      return numericRows(ROLLUPS.readBuckets(query));
    },

    async deliveryTotals(council) {
      return deliveryTotalsOf(prep(ROLLUPS.deliveryTotals).all(council) as Array<Record<string, unknown>>);
    },

    async rebuildRollups({ actor, now }) {
      // One IMMEDIATE transaction: no accept or outcome can change the rows between the read and the write.
      return write(() => rebuildSync(actor, now));
    },

    ...sqliteRetentionMethods({ prep, write, appendAuditSync }),
  };
  return store;
}

/** A status update without a transaction id is matched to the delivery whose receipt carries its reference. */
function findTransactionByReceipt(db: Db, target: string, update: StatusUpdate): string | undefined {
  const row = db
    .prepare(
      "SELECT transaction_id FROM deliveries WHERE target = ? AND receipt IS NOT NULL AND json_extract(receipt, '$.externalRef') = ? ORDER BY updated_at DESC LIMIT 1",
    )
    .get(target, update.externalRef) as { transaction_id: string } | undefined;
  return row?.transaction_id;
}
