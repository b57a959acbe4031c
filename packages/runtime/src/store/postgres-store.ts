import pg, { type PoolConfig, type QueryResult } from 'pg';
import type { Envelope, StatusUpdate } from '@lgx/core';
import { chainAuditEntry, GENESIS_HASH } from './audit-chain';
import * as transitions from './delivery-transitions';
import type { RollupFacts, Transition } from './delivery-transitions';
import { postgresLeaseQueries } from './postgres-lease-queries';
import { byColumn, postgresRowWrites } from './postgres-row-writes';
import { postgresRefreshMethods } from './postgres-refresh-queries';
import { postgresBatchReads } from './postgres-read-queries';
import { postgresKeyMethods, writePostgresSealing } from './postgres-key-queries';
import { postgresApiKeyMethods } from './postgres-api-key-queries';
import { POSTGRES_MIGRATIONS } from './postgres-schema';
import { auditFilter, councilStatusFilter, deadLetterFilter, transactionFilter } from './list-filters';
import { SqlParams } from './sql-params';
import { ROW_WRITES } from './row-writes';
import { foldRebuildRows, rebuildAudit, reportSubjectOf, RollupAccumulator, type RollupChange } from './report-rollups';
import { deliveryTotalsOf, numericRow, rebuildRow, rollupSql, subjectOf } from './rollup-sql';
import { POSTGRES_ROWS, rowMapper } from './store-rows';
import type { AuditEntry, AuditInput, InsertedTransaction, NewTransaction, Store, StoredDelivery, TargetActivity } from './store-types';
import { targetActivitySql, transactionStateSql } from './transaction-state-sql';
import { stateOf } from '../read/transaction-state';

export interface PostgresStoreOptions {
  /** e.g. 'postgresql://lgx@db.internal:5432/lgx'. Fields given beside it override its parts. */
  connectionString?: string;
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  /** As pg's `ssl` option: true, or TLS options such as `{ rejectUnauthorized: true, ca }`. */
  ssl?: boolean | Record<string, unknown>;
  /** Most connections the store's pool opens (default 10). */
  maxConnections?: number;
  /** How long to wait for a free pooled connection before failing (default 0: no limit). */
  connectionTimeoutMs?: number;
  /** How long an idle pooled connection stays open (default 10000 ms). */
  idleTimeoutMs?: number;
  /** Schema holding the store's tables, created by migrate() if missing (default 'public'). */
  schema?: string;
  /**
   * Told about errors on idle pooled connections (e.g. the server restarted). The pool drops such
   * connections and opens new ones; without this they are ignored rather than crashing the process.
   */
  onConnectionError?: (error: Error) => void;
}

/** The query function shared by a pool and a client inside a transaction. */
interface Queryable {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/** SQLSTATEs after which the whole transaction can safely run again: it was rolled back, nothing stuck. */
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);
const MAX_TRANSACTION_RUNS = 5;

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Rows each target's queue depth is spread over (see the queue_depth table). */
const DEPTH_SHARDS = 16;

const rows = rowMapper(POSTGRES_ROWS);

/** Transactions the rebuild reads per query. */
const REBUILD_PAGE = 5000;
/** The migration that adds the rollups: applying it to a database with transactions builds them. */
const ROLLUPS_MIGRATION = 5;

/**
 * The scale-out store: PostgreSQL through a pg connection pool, with the SQLite store's tables and
 * semantics, for several worker processes (on several machines) sharing one database.
 *
 * - Leasing locks due rows with SELECT ... FOR UPDATE SKIP LOCKED, so concurrent leasers never wait
 *   on each other and never get the same delivery; a per-target cap also takes a transaction-scoped
 *   advisory lock per target, so two leasers cannot both count the same free slot.
 * - Each council's audit chain has a head row (audit_heads) that every append locks and advances in
 *   the appending transaction, so concurrent writers produce one gap-free chain.
 * - Dedupe is the unique (council, idempotency_key) index with INSERT ... ON CONFLICT DO NOTHING.
 *
 * Lock order, to keep deadlocks out: deliveries, then transactions, then audit heads (several heads
 * only in council order), then queue depth rows (in target order), then rollup rows (in key order),
 * always last. Transactions still
 * run again, a few times, on deadlock or serialization failure.
 */
export function createPostgresStore(options: PostgresStoreOptions): Store {
  const schemaName = options.schema ?? 'public';
  if (!SCHEMA_NAME.test(schemaName))
    throw new Error(`invalid PostgreSQL schema name '${schemaName}': use letters, digits and _ (at most 63)`);
  const s = `"${schemaName}"`;
  const leaseSql = postgresLeaseQueries(s);
  const writes = postgresRowWrites(s);
  const rollups = rollupSql(
    (name) => `${s}.${name}`,
    (i) => `$${i}`,
  );
  const qualified = (name: string): string => `${s}.${name}`;
  const restateSql = `UPDATE ${s}.transactions SET state = ${transactionStateSql(qualified)} WHERE id = ANY($1::text[])`;

  const config: PoolConfig = {
    max: options.maxConnections ?? 10,
    idleTimeoutMillis: options.idleTimeoutMs ?? 10_000,
    application_name: 'lgx-runtime',
  };
  if (options.connectionString !== undefined) config.connectionString = options.connectionString;
  if (options.host !== undefined) config.host = options.host;
  if (options.port !== undefined) config.port = options.port;
  if (options.user !== undefined) config.user = options.user;
  if (options.password !== undefined) config.password = options.password;
  if (options.database !== undefined) config.database = options.database;
  if (options.ssl !== undefined) config.ssl = options.ssl;
  if (options.connectionTimeoutMs !== undefined) config.connectionTimeoutMillis = options.connectionTimeoutMs;
  const pool = new pg.Pool(config);
  // An idle connection that dies emits 'error' on the pool; unhandled, that would kill the process.
  pool.on('error', (error) => options.onConnectionError?.(error));
  let closed = false;

  /** Runs `fn` in one READ COMMITTED transaction on one pooled connection; runs it again on deadlock. */
  const transaction = async <R>(fn: (db: Queryable) => Promise<R>): Promise<R> => {
    for (let run = 1; ; run += 1) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // The connection is unusable (e.g. it dropped): do not hand it to the next caller.
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        }
        const code = (error as { code?: unknown }).code;
        if (run < MAX_TRANSACTION_RUNS && typeof code === 'string' && RETRYABLE_SQLSTATES.has(code)) continue;
        throw error;
      } finally {
        client.release(broken);
      }
    }
  };

  /** Appends to the council's chain inside the caller's transaction, holding the head row's lock until it commits. */
  const appendAuditIn = async (db: Queryable, input: AuditInput, now: Date): Promise<AuditEntry> => {
    // The upsert creates the head on a council's first entry and, either way, locks the row: a
    // concurrent appender waits here until this transaction commits, then sees the new head.
    const head = await db.query<{ seq: number; hash: string }>(
      `INSERT INTO ${s}.audit_heads (council, seq, hash) VALUES ($1, 0, $2)
       ON CONFLICT (council) DO UPDATE SET council = EXCLUDED.council RETURNING seq, hash`,
      [input.council, GENESIS_HASH],
    );
    const last = head.rows[0];
    const entry = chainAuditEntry(input, last === undefined || last.seq === 0 ? undefined : last, now);
    await db.query(writes.insertAudit, ROW_WRITES.audit.values(entry));
    await db.query(`UPDATE ${s}.audit_heads SET seq = $2, hash = $3 WHERE council = $1`, [entry.council, entry.seq, entry.hash]);
    return entry;
  };

  const lockDelivery = async (db: Queryable, id: string): Promise<StoredDelivery | undefined> => {
    const row = (await db.query(`SELECT * FROM ${s}.deliveries WHERE id = $1 FOR UPDATE`, [id])).rows[0];
    return row === undefined ? undefined : rows.delivery(row);
  };

  /**
   * Moves targets' pending counts, each by one row of its shards picked at random. Last in every
   * transaction and in target order (see the lock order above).
   */
  const addPending = async (db: Queryable, deltas: ReadonlyMap<string, number>): Promise<void> => {
    for (const [target, delta] of [...deltas].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (delta === 0) continue;
      await db.query(
        `INSERT INTO ${s}.queue_depth (target, shard, pending) VALUES ($1, $2, $3)
         ON CONFLICT (target, shard) DO UPDATE SET pending = ${s}.queue_depth.pending + EXCLUDED.pending`,
        [target, Math.floor(Math.random() * DEPTH_SHARDS), delta],
      );
    }
  };

  /**
   * Adds rollup changes, after the queue depth: rows in key order, each on one of its shards picked
   * at random (see the report_days table), then histogram buckets likewise.
   */
  const addRollups = async (db: Queryable, changes: readonly RollupChange[]): Promise<void> => {
    if (changes.length === 0) return;
    const { rows: sums, buckets } = new RollupAccumulator().add(changes).sums();
    for (const row of sums)
      await db.query(rollups.upsertRow, rollups.rowValues(row.key, row.add, Math.floor(Math.random() * DEPTH_SHARDS)));
    for (const b of buckets)
      await db.query(rollups.upsertBucket, rollups.bucketValues(b.key, b.bucket, b.add, Math.floor(Math.random() * DEPTH_SHARDS)));
  };

  /** What a delivery's rollups need: its transaction's report columns and, for an arrival, whether another came first. */
  const rollupFacts = async (db: Queryable, delivery: StoredDelivery, arriving: boolean): Promise<RollupFacts | undefined> => {
    const row = (await db.query(rollups.subject, [delivery.transactionId])).rows[0];
    if (!row) return undefined;
    const completedBefore =
      arriving &&
      delivery.mode !== 'shadow' &&
      (await db.query(rollups.completedBefore, [delivery.transactionId, delivery.id])).rows.length > 0;
    return { subject: subjectOf(row, POSTGRES_ROWS), completedBefore };
  };

  /**
   * Writes what a transition of the delivery state machine says, inside the caller's transaction
   * (which has locked the delivery rows): each kind of row in one statement, then the audit entries,
   * then the queue depth and the rollups (see the lock order above).
   */
  const apply = async (db: Queryable, t: Transition, now: Date): Promise<void> => {
    if (t.attempts.length > 0) await db.query(writes.insertAttempts, byColumn(t.attempts.map(ROW_WRITES.attempt.values)));
    if (t.deliveries.length > 0) await db.query(writes.updateDeliveries, byColumn(t.deliveries.map(ROW_WRITES.delivery.values)));
    if (t.leases.length > 0) await db.query(writes.updateLeases, byColumn(t.leases.map(ROW_WRITES.lease.values)));
    for (const entry of t.audit) await appendAuditIn(db, entry, now);
    if (t.restate.length > 0) await db.query(restateSql, [t.restate]);
    await addPending(db, t.pending);
    await addRollups(db, t.rollups);
  };

  /** The next skipped link of a fallback chain after `dead`, by order, locked. */
  const nextFallbackLink = async (db: Queryable, dead: StoredDelivery): Promise<StoredDelivery | undefined> => {
    const row = (
      await db.query(
        `SELECT * FROM ${s}.deliveries WHERE transaction_id = $1 AND mode = 'fallback' AND state = 'skipped' AND link_order > $2
         ORDER BY link_order, id LIMIT 1 FOR UPDATE`,
        [dead.transactionId, dead.order],
      )
    ).rows[0];
    return row === undefined ? undefined : rows.delivery(row);
  };

  /**
   * One target's leasable rows, at most `room`, locked: first those whose lease ran out (their holder
   * died mid-attempt), then the ready ones in due order.
   */
  const leasable = async (db: Queryable, target: string, at: string, room: number): Promise<unknown[]> => {
    const expired = (await db.query(leaseSql.expired, [target, at, room])).rows;
    if (expired.length >= room) return expired;
    return [...expired, ...(await db.query(leaseSql.ready, [target, at, room - expired.length])).rows];
  };

  /** Live leases a target holds now. */
  const liveLeases = async (db: Queryable, target: string, at: string): Promise<number> =>
    Number((await db.query<{ n: string }>(leaseSql.live, [target, at])).rows[0]?.n ?? 0);

  /** Each lease call starts the round of targets one further on. */
  let turn = 0;

  /**
   * Serialises leasers that apply a per-target cap, per target: the cap counts live leases, and two
   * leasers counting at once would both see the same free slot. Targets are locked in sorted order so
   * two leasers cannot deadlock; a leaser without a target list locks every target (the exclusive
   * form of a lock the others hold shared).
   */
  const lockTargetCaps = async (db: Queryable, targets: string[] | undefined): Promise<void> => {
    const all = `lgx:${schemaName}:lease-cap:*`;
    if (targets === undefined) {
      await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [all]);
      return;
    }
    await db.query('SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 0))', [all]);
    for (const target of [...new Set(targets)].sort()) {
      await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`lgx:${schemaName}:lease-cap:${target}`]);
    }
  };

  const store: Store = {
    ...postgresBatchReads(pool, s),
    ...postgresKeyMethods(pool, s, transaction),
    ...postgresApiKeyMethods(pool, s, transaction),
    async migrate() {
      let backfill = false;
      await transaction(async (db) => {
        // Two processes starting together: the second waits here, then finds the migrations applied.
        // (CREATE ... IF NOT EXISTS alone races on the catalog's unique indexes.)
        await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`lgx:${schemaName}:migrate`]);
        await db.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
        await db.query(
          `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`,
        );
        const applied = new Set(
          (await db.query<{ version: number }>(`SELECT version FROM ${s}.schema_migrations`)).rows.map((r) => r.version),
        );
        for (const migration of POSTGRES_MIGRATIONS) {
          if (applied.has(migration.version)) continue;
          await db.query(migration.sql.replaceAll('{schema}', s));
          await db.query(`INSERT INTO ${s}.schema_migrations (version, name, applied_at) VALUES ($1, $2, now())`, [
            migration.version,
            migration.name,
          ]);
          if (migration.version === ROLLUPS_MIGRATION)
            backfill = (await db.query(`SELECT 1 FROM ${s}.transactions LIMIT 1`)).rows.length > 0;
        }
      });
      // The rollups start with what the database already holds, so reports cover its history.
      if (backfill) await store.rebuildRollups({ actor: 'system', now: new Date() });
    },

    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },

    async insertTransaction(input: NewTransaction) {
      const { envelope, now, lease } = input;
      const at = now.toISOString();
      return transaction(async (db): Promise<InsertedTransaction> => {
        // A hand-off counts live leases as a leaser does, under the same per-target locks, taken first.
        const candidates = lease ? transitions.handOffCandidates(input.deliveries, lease.targets) : [];
        if (lease?.perTarget !== undefined && candidates.length > 0)
          await lockTargetCaps(
            db,
            candidates.map((d) => d.target),
          );
        // A concurrent insert of the same key waits on the unique index until the first commits, then
        // does nothing; the SELECT (a new snapshot under READ COMMITTED) then sees the first.
        const report = reportSubjectOf(envelope, at);
        const inserted = await db.query(
          `INSERT INTO ${s}.transactions (id, council, type, idempotency_key, envelope, created_at, channel, lgsl, service, rating, state)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (council, idempotency_key) DO NOTHING RETURNING id`,
          [
            envelope.id,
            envelope.council,
            envelope.type,
            envelope.idempotencykey,
            JSON.stringify(envelope),
            at,
            report.channel,
            report.lgsl,
            report.service,
            report.rating,
            stateOf(input.deliveries),
          ],
        );
        if (inserted.rows.length === 0) {
          const existing = await db.query<{ id: string }>(`SELECT id FROM ${s}.transactions WHERE council = $1 AND idempotency_key = $2`, [
            envelope.council,
            envelope.idempotencykey,
          ]);
          const id = existing.rows[0]?.id;
          if (id === undefined) throw new Error('transaction dedupe conflict without a stored transaction');
          return { id, duplicate: true, ...(lease ? { leased: [] } : {}) };
        }
        const handed = new Set<string>();
        for (const d of candidates) {
          if ((await db.query<{ waiting: boolean }>(leaseSql.waiting, [d.target, at])).rows[0]?.waiting) continue;
          if (lease?.perTarget !== undefined && (await liveLeases(db, d.target, at)) >= lease.perTarget) continue;
          handed.add(d.id);
        }
        const accepted = transitions.acceptTransition(input, handed);
        if (input.sealing) await writePostgresSealing(db, s, envelope.council, envelope.id, input.sealing);
        if (accepted.deliveries.length > 0)
          await db.query(writes.insertDeliveries, byColumn(accepted.deliveries.map(ROW_WRITES.newDelivery.values)));
        await appendAuditIn(db, accepted.audit, now);
        await addPending(db, accepted.pending);
        await addRollups(db, accepted.rollups);
        return { id: envelope.id, duplicate: false, ...(lease ? { leased: accepted.leased } : {}) };
      });
    },

    async getTransaction(id) {
      const row = (await pool.query(`SELECT * FROM ${s}.transactions WHERE id = $1`, [id])).rows[0];
      return row === undefined ? undefined : rows.transaction(row);
    },

    async listTransactions(query) {
      const p = new SqlParams(true);
      const sql = `SELECT * FROM ${s}.transactions WHERE ${transactionFilter(p, query)} ORDER BY created_at DESC, id DESC LIMIT ${p.add(query.limit)}`;
      return (await pool.query(sql, p.values)).rows.map(rows.transaction);
    },

    async getDelivery(id) {
      const row = (await pool.query(`SELECT * FROM ${s}.deliveries WHERE id = $1`, [id])).rows[0];
      return row === undefined ? undefined : rows.delivery(row);
    },

    async listDeliveries(transactionId) {
      return (
        await pool.query(`SELECT * FROM ${s}.deliveries WHERE transaction_id = $1 ORDER BY link_order, created_at, id`, [transactionId])
      ).rows.map(rows.delivery);
    },

    async listAttempts(deliveryId) {
      return (await pool.query(`SELECT * FROM ${s}.attempts WHERE delivery_id = $1 ORDER BY id`, [deliveryId])).rows.map(rows.attempt);
    },

    async leaseDeliveries({ owner, limit, leaseMs, now, targets, perTarget }) {
      if (limit <= 0 || (targets !== undefined && targets.length === 0)) return [];
      const at = now.toISOString();
      const expires = new Date(now.getTime() + leaseMs).toISOString();
      const round = turn++;
      return transaction(async (db) => {
        if (perTarget !== undefined) await lockTargetCaps(db, targets);
        const listed =
          targets ??
          (
            await db.query<{ target: string }>(
              `SELECT target FROM ${s}.queue_depth GROUP BY target HAVING SUM(pending) > 0 ORDER BY target`,
            )
          ).rows.map((r) => r.target);
        const candidates: unknown[][] = [];
        for (const target of transitions.rotate(listed, round)) {
          const room = perTarget === undefined ? limit : Math.min(limit, perTarget - (await liveLeases(db, target, at)));
          if (room > 0) candidates.push(await leasable(db, target, at, room));
        }
        const leased = transitions.leaseTransition(transitions.pickFairly(candidates, limit).map(rows.leasable), owner, expires, now);
        await apply(db, leased, now);
        return leased.leased;
      });
    },

    async completeAttempt({ deliveryId, owner, attempt, outcome, now }) {
      return transaction(async (db) => {
        const current = await lockDelivery(db, deliveryId);
        if (!current || current.state !== 'pending' || current.leaseOwner !== owner) return false;
        const facts = outcome.kind === 'retry' ? undefined : await rollupFacts(db, current, outcome.kind === 'delivered');
        const t = transitions.outcomeTransition(current, { owner, attempt, outcome, now }, facts);
        if (!t) return false;
        // The next link's row lock before the audit head's (see the lock order above).
        const next = t.promoteFallback ? await nextFallbackLink(db, current) : undefined;
        await apply(db, transitions.withFallback(t, next, current, now, facts), now);
        return true;
      });
    },

    async releaseLease(deliveryId, owner) {
      await pool.query(`UPDATE ${s}.deliveries SET lease_owner = NULL, lease_expires_at = NULL WHERE id = $1 AND lease_owner = $2`, [
        deliveryId,
        owner,
      ]);
    },

    async heartbeat(worker, now) {
      const at = now.toISOString();
      await pool.query(
        `INSERT INTO ${s}.workers (id, host, pid, lease_ms, started_at, heartbeat_at) VALUES ($1, $2, $3, $4, $5, $5)
         ON CONFLICT (id) DO UPDATE SET host = EXCLUDED.host, pid = EXCLUDED.pid, lease_ms = EXCLUDED.lease_ms, heartbeat_at = EXCLUDED.heartbeat_at`,
        [worker.id, worker.host, worker.pid, worker.leaseMs, at],
      );
      const renewed = await pool.query(leaseSql.expireOwner, [new Date(now.getTime() + worker.leaseMs).toISOString(), worker.id, at]);
      return renewed.rowCount ?? 0;
    },

    async listWorkers() {
      return (await pool.query(`SELECT * FROM ${s}.workers ORDER BY started_at, id`)).rows.map(rows.worker);
    },

    async releaseWorker(id, now) {
      const at = now.toISOString();
      return transaction(async (db) => {
        const ended = await db.query(leaseSql.expireOwner, [at, id, at]);
        await db.query(`DELETE FROM ${s}.workers WHERE id = $1`, [id]);
        return ended.rowCount ?? 0;
      });
    },

    async queueDepth() {
      return rows.queueDepth(
        (
          await pool.query(
            `SELECT target, SUM(pending) AS pending FROM ${s}.queue_depth GROUP BY target HAVING SUM(pending) <> 0 ORDER BY target`,
          )
        ).rows,
      );
    },

    async targetActivity({ council, targets, since, cap }) {
      const out: TargetActivity = {};
      for (const target of targets) {
        const p = new SqlParams(true);
        const sql = targetActivitySql(qualified, p, { council, target, since: since.toISOString(), cap });
        const row = (await pool.query(sql, p.values)).rows[0] as {
          oldest_queued_at: Date | null;
          retrying: string;
          dead: string;
          delivered_since: string;
        };
        out[target] = {
          ...(row.oldest_queued_at !== null ? { oldestQueuedAt: row.oldest_queued_at.toISOString() } : {}),
          retrying: Number(row.retrying),
          dead: Number(row.dead),
          deliveredSince: Number(row.delivered_since),
        };
      }
      return out;
    },

    async listDeadLetters(options = {}) {
      const p = new SqlParams(true);
      const sql = `SELECT * FROM ${s}.deliveries WHERE ${deadLetterFilter(p, options)} ORDER BY updated_at DESC, row_seq DESC LIMIT ${p.add(options.limit ?? null)}`;
      return (await pool.query(sql, p.values)).rows.map(rows.delivery);
    },

    async replayDeadLetter(deliveryId, { actor, reason, envelope, sealing, now }) {
      return transaction(async (db) => {
        const current = await lockDelivery(db, deliveryId);
        if (!current) return false;
        // Locking the transaction row orders this against purgePayloads: either the purge sees the
        // delivery pending and keeps the payload, or this sees the payload gone.
        const stored = (
          await db.query<{ envelope: Envelope | null }>(`SELECT envelope FROM ${s}.transactions WHERE id = $1 FOR UPDATE`, [
            current.transactionId,
          ])
        ).rows[0]?.envelope;
        const t = transitions.replayTransition(
          current,
          stored ?? undefined,
          { actor, reason, now, ...(envelope ? { envelope } : {}) },
          await rollupFacts(db, current, false),
        );
        if (!t) return false;
        if (t.envelope) {
          await db.query(`UPDATE ${s}.transactions SET envelope = $1, purged_at = NULL, key_id = NULL WHERE id = $2`, [
            JSON.stringify(t.envelope),
            current.transactionId,
          ]);
          await db.query(`DELETE FROM ${s}.subject_index WHERE transaction_id = $1`, [current.transactionId]);
          if (sealing) await writePostgresSealing(db, s, t.envelope.council, current.transactionId, sealing);
        }
        await apply(db, t, now);
        return true;
      });
    },

    async discardDeadLetter(deliveryId, { actor, reason, now }) {
      return transaction(async (db) => {
        const current = await lockDelivery(db, deliveryId);
        const t = current && transitions.discardTransition(current, { actor, reason, now }, await rollupFacts(db, current, false));
        if (!t) return false;
        await apply(db, t, now);
        return true;
      });
    },

    async appendAudit(entry, now) {
      return transaction((db) => appendAuditIn(db, entry, now));
    },

    async listAudit(council, options = {}) {
      const p = new SqlParams(true);
      const sql = `SELECT * FROM ${s}.audit WHERE ${auditFilter(p, council, options)} ORDER BY seq LIMIT ${p.add(options.limit ?? null)}`;
      return (await pool.query(sql, p.values)).rows.map(rows.audit);
    },

    async saveStatusUpdate({ target, update, now, keyId }) {
      const transactionId = update.transactionId ?? (await findTransactionByReceipt(pool, s, target, update));
      const inserted = await pool.query(
        `INSERT INTO ${s}.status_updates (${ROW_WRITES.statusUpdate.columns.join(', ')}) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (target, external_ref, update_id) WHERE update_id IS NOT NULL DO NOTHING
         RETURNING id, transaction_id, target, body, received_at`,
        ROW_WRITES.statusUpdate.values({ transactionId, target, update, now, keyId }),
      );
      const row = inserted.rows[0];
      return row ? rows.statusUpdate(row) : undefined;
    },

    async listStatusUpdates(transactionId) {
      return (await pool.query(`SELECT * FROM ${s}.status_updates WHERE transaction_id = $1 ORDER BY id`, [transactionId])).rows.map(
        rows.statusUpdate,
      );
    },

    async listCouncilStatusUpdates(options) {
      const p = new SqlParams(true);
      const sql = `SELECT u.* FROM ${s}.status_updates u JOIN ${s}.transactions t ON t.id = u.transaction_id WHERE ${councilStatusFilter(p, options)} ORDER BY u.id LIMIT ${p.add(options.limit)}`;
      return (await pool.query(sql, p.values)).rows.map(rows.statusUpdate);
    },

    ...postgresRefreshMethods({ s, pool, transaction }),

    async getCursor(name) {
      const row = (await pool.query<{ cursor: string }>(`SELECT cursor FROM ${s}.cursors WHERE name = $1`, [name])).rows[0];
      return row?.cursor;
    },

    async setCursor(name, cursor) {
      await pool.query(
        `INSERT INTO ${s}.cursors (name, cursor, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = EXCLUDED.updated_at`,
        [name, cursor, new Date().toISOString()],
      );
    },

    async readRollups(query) {
      const { sql, params } = rollups.readRows(query);
      return (await pool.query(sql, params)).rows.map((row) => numericRow(row));
    },

    async readDeliverySeconds(query) {
      const { sql, params } = rollups.readBuckets(query);
      return (await pool.query(sql, params)).rows.map((row) => numericRow(row));
    },

    async deliveryTotals(council) {
      return deliveryTotalsOf((await pool.query(rollups.deliveryTotals, [council])).rows);
    },

    async rebuildRollups({ actor, now }) {
      return transaction(async (db) => {
        // The audit heads first (the lock order: heads before rollup rows), for the entries written at the end.
        await db.query(`SELECT council FROM ${s}.audit_heads ORDER BY council FOR UPDATE`);
        // Every rollup change waits on this lock until the rebuild commits: one that had written its
        // delivery change but not yet its rollups is not seen by the reads below (not committed), and
        // adds its change after the rebuilt rows, so nothing is lost or counted twice.
        await db.query(`LOCK TABLE ${s}.report_days, ${s}.report_delivery_seconds IN EXCLUSIVE MODE`);
        const into = new RollupAccumulator();
        const councils = new Map<string, number>();
        let transactions = 0;
        for (let after = ''; ;) {
          const page = (await db.query(rollups.rebuildPage, [after, REBUILD_PAGE])).rows.map((raw) => rebuildRow(raw, POSTGRES_ROWS));
          if (page.length === 0) break;
          transactions += foldRebuildRows(page, into, councils);
          after = page[page.length - 1]!.id;
        }
        for (const sql of rollups.clear) await db.query(sql);
        const { rows: sums, buckets } = into.sums();
        for (const row of sums) await db.query(rollups.upsertRow, rollups.rowValues(row.key, row.add, 0));
        for (const b of buckets) await db.query(rollups.upsertBucket, rollups.bucketValues(b.key, b.bucket, b.add, 0));
        for (const entry of rebuildAudit(councils, actor)) await appendAuditIn(db, entry, now);
        return { transactions };
      });
    },

    async purgePayloads(before) {
      const now = new Date();
      // Candidates from a plain read; each batch is then locked and checked again, because a replay
      // or a new fallback link may have made a delivery pending since.
      const candidates = (
        await pool.query<{ id: string }>(
          `SELECT id FROM ${s}.transactions t WHERE t.envelope IS NOT NULL AND t.created_at < $1
           AND NOT EXISTS (SELECT 1 FROM ${s}.deliveries d WHERE d.transaction_id = t.id AND d.state = 'pending')
           ORDER BY id`,
          [before.toISOString()],
        )
      ).rows.map((r) => r.id);
      let purged = 0;
      for (let i = 0; i < candidates.length; i += PURGE_BATCH) {
        const batch = candidates.slice(i, i + PURGE_BATCH);
        purged += await transaction(async (db) => {
          // Locked in id order, so two purgers cannot deadlock; the pending check is a new statement,
          // so under READ COMMITTED it sees every commit made before the locks were granted.
          const locked = (
            await db.query<{ id: string; council: string }>(
              `SELECT id, council FROM ${s}.transactions WHERE id = ANY($1::text[]) AND envelope IS NOT NULL ORDER BY id FOR UPDATE`,
              [batch],
            )
          ).rows;
          if (locked.length === 0) return 0;
          const busy = new Set(
            (
              await db.query<{ transaction_id: string }>(
                `SELECT DISTINCT transaction_id FROM ${s}.deliveries WHERE transaction_id = ANY($1::text[]) AND state = 'pending'`,
                [locked.map((r) => r.id)],
              )
            ).rows.map((r) => r.transaction_id),
          );
          const audit = locked.flatMap((r) => transitions.purgeTransition({ id: r.id, council: r.council, pending: busy.has(r.id) }) ?? []);
          if (audit.length === 0) return 0;
          await db.query(`UPDATE ${s}.transactions SET envelope = NULL, purged_at = $1 WHERE id = ANY($2::text[])`, [
            now.toISOString(),
            audit.map((a) => a.transactionId),
          ]);
          // Audit heads are locked in council order, the one place several are held at once.
          audit.sort((a, b) => (a.council < b.council ? -1 : a.council > b.council ? 1 : a.transactionId! < b.transactionId! ? -1 : 1));
          for (const entry of audit) await appendAuditIn(db, entry, now);
          return audit.length;
        });
      }
      return purged;
    },
  };
  return store;
}

/** Transactions purged per database transaction: bounds how long their rows and audit heads stay locked. */
const PURGE_BATCH = 500;

/** A status update without a transaction id is matched to the delivery whose receipt carries its reference. */
async function findTransactionByReceipt(db: Queryable, s: string, target: string, update: StatusUpdate): Promise<string | undefined> {
  const row = (
    await db.query<{ transaction_id: string }>(
      `SELECT transaction_id FROM ${s}.deliveries WHERE target = $1 AND receipt IS NOT NULL AND receipt ->> 'externalRef' = $2 ORDER BY updated_at DESC LIMIT 1`,
      [target, update.externalRef],
    )
  ).rows[0];
  return row?.transaction_id;
}
