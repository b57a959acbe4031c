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
import { postgresEraseMethods } from './postgres-erase-queries';
import { postgresApiKeyMethods } from './postgres-api-key-queries';
import { POSTGRES_MIGRATIONS } from './postgres-schema';
import { auditFilter, councilStatusFilter, deadLetterFilter, transactionFilter } from './list-filters';
import { claimDutySql, dutyCursorName, dutyValue } from './duty-sql';
import { SqlParams } from './sql-params';
import { AGAIN, groupCommits } from './group-commit';
import { ROW_WRITES } from './row-writes';
import { foldRebuildRows, rebuildAudit, reportSubjectOf, RollupAccumulator, type RollupChange } from './report-rollups';
import { deliveryTotalsOf, numericRow, rebuildRow, rollupSql, subjectOf } from './rollup-sql';
import { POSTGRES_ROWS, rowMapper } from './store-rows';
import type { AuditEntry, AuditInput, InsertedTransaction, NewTransaction, Store, StoredDelivery, TargetActivity } from './store-types';
import { targetActivitySql, transactionStateSql } from './transaction-state-sql';
import { endedAtSql } from './retention-sql';
import { postgresRetentionMethods } from './postgres-retention';
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
/** Outcomes recorded in one database transaction at most (see group-commit.ts). */
const OUTCOME_BATCH = 64;
/** What recording one attempt's outcome takes. */
type AttemptCompletion = Parameters<Store['completeAttempt']>[0];
/** A transition that writes nothing. */
const NO_CHANGE: Transition = { attempts: [], deliveries: [], leases: [], audit: [], pending: new Map(), rollups: [], restate: [] };

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Rows each counter (a target's queue depth, a rollup row) is spread over: a pooled connection adds to its own. */
const DEPTH_SHARDS = 16;

const rows = rowMapper(POSTGRES_ROWS);

/** Rollup rows per upsert statement: 14 parameters a row, well inside PostgreSQL's 65,535. */
const ROLLUP_ROWS_PER_STATEMENT = 1000;
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
  const restateSql = `UPDATE ${s}.transactions SET state = ${transactionStateSql(qualified)}, ended_at = ${endedAtSql(qualified, '$2')} WHERE id = ANY($1::text[])`;

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
    await db.query(writes.appendAudit, ROW_WRITES.audit.values(entry));
    return entry;
  };

  /**
   * Appends several entries, in order within each council, as appendAuditIn does one at a time, but
   * with each council's head locked and advanced once and its entries inserted in one statement.
   */
  const appendAuditsIn = async (db: Queryable, items: ReadonlyArray<{ input: AuditInput; now: Date }>): Promise<void> => {
    if (items.length <= 1) {
      for (const { input, now } of items) await appendAuditIn(db, input, now);
      return;
    }
    const councils = [...new Set(items.map((i) => i.input.council))].sort();
    for (const council of councils) {
      const head = await db.query<{ seq: number; hash: string }>(
        `INSERT INTO ${s}.audit_heads (council, seq, hash) VALUES ($1, 0, $2)
         ON CONFLICT (council) DO UPDATE SET council = EXCLUDED.council RETURNING seq, hash`,
        [council, GENESIS_HASH],
      );
      let last: { seq: number; hash: string } | undefined = head.rows[0]?.seq ? head.rows[0] : undefined;
      const values: unknown[] = [];
      for (const { input, now } of items) {
        if (input.council !== council) continue;
        const entry = chainAuditEntry(input, last, now);
        values.push(...ROW_WRITES.audit.values(entry));
        last = entry;
      }
      const width = ROW_WRITES.audit.columns.length;
      const rowsSql = Array.from(
        { length: values.length / width },
        (_, r) => `(${ROW_WRITES.audit.columns.map((_c, i) => `$${r * width + i + 1}`).join(', ')})`,
      );
      await db.query(`INSERT INTO ${s}.audit (${ROW_WRITES.audit.columns.join(', ')}) VALUES ${rowsSql.join(', ')}`, values);
      await db.query(`UPDATE ${s}.audit_heads SET seq = $2, hash = $3 WHERE council = $1`, [council, last!.seq, last!.hash]);
    }
  };

  const lockDelivery = async (db: Queryable, id: string): Promise<StoredDelivery | undefined> => {
    const row = (await db.query(`SELECT * FROM ${s}.deliveries WHERE id = $1 FOR UPDATE`, [id])).rows[0];
    return row === undefined ? undefined : rows.delivery(row);
  };

  /**
   * The shard a connection adds its counters to: each of this process's pooled connections its own
   * (from a random start, so processes sharing the database spread over the shards too), so two
   * transactions of one process never wait on the same counter row, however hot its day and target.
   */
  const connectionShards = new WeakMap<Queryable, number>();
  let nextShard = Math.floor(Math.random() * DEPTH_SHARDS);
  const shardOf = (db: Queryable): number => {
    const known = connectionShards.get(db);
    if (known !== undefined) return known;
    const shard = nextShard;
    nextShard = (nextShard + 1) % DEPTH_SHARDS;
    connectionShards.set(db, shard);
    return shard;
  };

  /** A queue-depth upsert of `count` targets' deltas, placeholders from `$1`: target, shard, delta each. */
  const depthUpsert = (count: number): string =>
    `INSERT INTO ${s}.queue_depth (target, shard, pending) VALUES ${Array.from({ length: count }, (_, i) => `($${3 * i + 1}, $${3 * i + 2}, $${3 * i + 3})`).join(', ')}
     ON CONFLICT (target, shard) DO UPDATE SET pending = ${s}.queue_depth.pending + EXCLUDED.pending`;

  /**
   * Moves targets' pending counts (in target order) and adds rollup changes (rows in key order), each
   * on the connection's shard of its counter, last in every
   * transaction (see the lock order above). Where both are written, one statement does it: the
   * depth first (its result is read before the rollups' are), so an accept or a delivery outcome
   * pays one round trip for its counters, not two.
   */
  const addCounts = async (db: Queryable, deltas: ReadonlyMap<string, number>, changes: readonly RollupChange[]): Promise<void> => {
    const shard = shardOf(db);
    const depth = [...deltas].filter(([, delta]) => delta !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const sums = new RollupAccumulator().add(changes).sums();
    const depthValues = depth.flatMap(([target, delta]) => [target, shard, delta]);
    if (depth.length > 0 && sums.rows.length > 0 && sums.rows.length <= ROLLUP_ROWS_PER_STATEMENT) {
      await db.query(
        `WITH depth AS (${depthUpsert(depth.length)} RETURNING 1),
           sums AS (${rollups.upsertRows(sums.rows.length, depthValues.length + 1)} RETURNING 1)
         SELECT (SELECT COUNT(*) FROM depth) AS depth, (SELECT COUNT(*) FROM sums) AS sums`,
        [...depthValues, ...sums.rows.flatMap((row) => rollups.rowValues(row.key, row.add, shard))],
      );
      await writeRollups(db, { rows: [], buckets: sums.buckets }, shard);
      return;
    }
    if (depth.length > 0) await db.query(depthUpsert(depth.length), depthValues);
    await writeRollups(db, sums, shard);
  };

  /**
   * Adds summed rollups in as few statements as the parameter limit allows: an accept's two or three
   * rows in one round trip rather than one each, a rebuild's tens of thousands in a few dozen.
   */
  const writeRollups = async (db: Queryable, { rows, buckets }: ReturnType<RollupAccumulator['sums']>, shard: number): Promise<void> => {
    for (let i = 0; i < rows.length; i += ROLLUP_ROWS_PER_STATEMENT) {
      const chunk = rows.slice(i, i + ROLLUP_ROWS_PER_STATEMENT);
      await db.query(
        rollups.upsertRows(chunk.length),
        chunk.flatMap((row) => rollups.rowValues(row.key, row.add, shard)),
      );
    }
    for (let i = 0; i < buckets.length; i += ROLLUP_ROWS_PER_STATEMENT) {
      const chunk = buckets.slice(i, i + ROLLUP_ROWS_PER_STATEMENT);
      await db.query(
        rollups.upsertBuckets(chunk.length),
        chunk.flatMap((b) => rollups.bucketValues(b.key, b.bucket, b.add, shard)),
      );
    }
  };

  /**
   * rollupFacts for several deliveries of distinct transactions, in two queries; undefined for a retry
   * (its rollups do not move) and for a delivery whose transaction is gone.
   */
  const rollupFactsAll = async (
    db: Queryable,
    items: ReadonlyArray<{ delivery: StoredDelivery; kind: 'delivered' | 'retry' | 'dead' }>,
  ): Promise<Array<RollupFacts | undefined>> => {
    const wanted = items.filter((i) => i.kind !== 'retry').map((i) => i.delivery.transactionId);
    if (wanted.length === 0) return items.map(() => undefined);
    const subjects = new Map(
      (
        await db.query(
          `SELECT id, council, type, COALESCE(service, type) AS service, channel, lgsl, rating, created_at FROM ${s}.transactions WHERE id = ANY($1::text[])`,
          [wanted],
        )
      ).rows.map((row: Record<string, unknown>) => [row['id'] as string, subjectOf(row, POSTGRES_ROWS)]),
    );
    const arrived = (
      await db.query<{ transaction_id: string; id: string }>(
        `SELECT transaction_id, id FROM ${s}.deliveries WHERE transaction_id = ANY($1::text[]) AND state = 'delivered' AND mode <> 'shadow'`,
        [wanted],
      )
    ).rows;
    return items.map(({ delivery, kind }) => {
      const subject = kind === 'retry' ? undefined : subjects.get(delivery.transactionId);
      if (!subject) return undefined;
      const completedBefore =
        kind === 'delivered' &&
        delivery.mode !== 'shadow' &&
        arrived.some((a) => a.transaction_id === delivery.transactionId && a.id !== delivery.id);
      return { subject, completedBefore };
    });
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
  const apply = (db: Queryable, t: Transition, now: Date): Promise<void> => applyAll(db, [{ t, now }]);

  /** Several transitions' writes in one go: each kind of row in one statement, each audit entry at its own time. */
  const applyAll = async (db: Queryable, items: ReadonlyArray<{ t: Transition; now: Date }>): Promise<void> => {
    const t = items.reduce((all, item) => transitions.andThen(all, { ...item.t, audit: [] }), NO_CHANGE);
    if (t.attempts.length > 0) await db.query(writes.insertAttempts, byColumn(t.attempts.map(ROW_WRITES.attempt.values)));
    if (t.deliveries.length > 0) await db.query(writes.updateDeliveries, byColumn(t.deliveries.map(ROW_WRITES.delivery.values)));
    if (t.leases.length > 0) await db.query(writes.updateLeases, byColumn(t.leases.map(ROW_WRITES.lease.values)));
    await appendAuditsIn(
      db,
      items.flatMap((item) => item.t.audit.map((input) => ({ input, now: item.now }))),
    );
    // A batch's outcomes arrived together: the transactions they end are stamped with the latest time.
    const latest = new Date(Math.max(...items.map((item) => item.now.getTime())));
    if (t.restate.length > 0) await db.query(restateSql, [t.restate, latest.toISOString()]);
    await addCounts(db, t.pending, t.rollups);
  };

  /**
   * Records a batch of attempt outcomes in one database transaction (see group-commit.ts): the
   * deliveries' rows locked together in id order, then every write, the audit head locked once. A
   * second outcome for a transaction already in the batch waits for the next one, so each sees the
   * other's delivery as it was committed (the transaction's state and its rollups depend on it).
   */
  const completeBatch = (inputs: readonly AttemptCompletion[]): Promise<Array<boolean | typeof AGAIN>> =>
    transaction(async (db) => {
      const locked = new Map(
        (
          await db.query(`SELECT * FROM ${s}.deliveries WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`, [
            inputs.map((i) => i.deliveryId),
          ])
        ).rows
          .map(rows.delivery)
          .map((d) => [d.id, d]),
      );
      const seen = new Set<string>();
      // Each input's delivery, or why it is not recorded in this batch.
      const taken = inputs.map((input): StoredDelivery | false | typeof AGAIN => {
        const current = locked.get(input.deliveryId);
        if (!current || current.state !== 'pending' || current.leaseOwner !== input.owner) return false;
        if (seen.has(current.transactionId)) return AGAIN;
        seen.add(current.transactionId);
        return current;
      });
      const recorded = inputs.flatMap((input, i) => {
        const delivery = taken[i];
        return typeof delivery === 'object' ? [{ input, delivery, kind: input.outcome.kind }] : [];
      });
      const facts = await rollupFactsAll(db, recorded);
      const items: Array<{ t: Transition; now: Date }> = [];
      const done = new Map<string, boolean>();
      for (const [i, { input, delivery }] of recorded.entries()) {
        const { owner, attempt, outcome, now } = input;
        const t = transitions.outcomeTransition(delivery, { owner, attempt, outcome, now }, facts[i]);
        done.set(delivery.id, t !== undefined);
        if (!t) continue;
        // The next link's row lock before the audit head's (see the lock order above).
        const next = t.promoteFallback ? await nextFallbackLink(db, delivery) : undefined;
        items.push({ t: transitions.withFallback(t, next, delivery, now, facts[i]), now });
      }
      const results = taken.map((d) => (typeof d === 'object' ? (done.get(d.id) ?? false) : d));
      await applyAll(db, items);
      return results;
    });
  const completeAttempt = groupCommits(completeBatch, OUTCOME_BATCH);

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
    // One round trip: a select list is evaluated left to right, so the locks are taken in this order.
    const names = [all, ...[...new Set(targets)].sort().map((target) => `lgx:${schemaName}:lease-cap:${target}`)];
    const locks = names.map(
      (_, i) => `${i === 0 ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock'}(hashtextextended($${i + 1}, 0))`,
    );
    await db.query(`SELECT ${locks.join(', ')}`, names);
  };

  /** Live leases of each of `targets` now, in one query (targets without any are absent). */
  const liveLeasesOf = async (db: Queryable, targets: readonly string[], at: string): Promise<Map<string, number>> =>
    new Map((await db.query<{ target: string; n: string }>(leaseSql.liveOf, [targets, at])).rows.map((r) => [r.target, Number(r.n)]));

  const store: Store = {
    ...postgresBatchReads(pool, s),
    ...postgresKeyMethods(pool, s, transaction),
    ...postgresEraseMethods({ pool, s, transaction, apply, rollupFacts, delivery: rows.delivery }),
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
          `INSERT INTO ${s}.transactions (id, council, type, idempotency_key, envelope, created_at, channel, lgsl, service, rating, state, ended_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
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
            // A transaction accepted with nothing to deliver ends as it is accepted.
            input.deliveries.some((d) => d.state === 'pending') ? null : at,
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
        await addCounts(db, accepted.pending, accepted.rollups);
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
        const live = perTarget === undefined ? undefined : await liveLeasesOf(db, listed, at);
        const candidates: unknown[][] = [];
        for (const target of transitions.rotate(listed, round)) {
          const room = perTarget === undefined ? limit : Math.min(limit, perTarget - (live?.get(target) ?? 0));
          if (room > 0) candidates.push(await leasable(db, target, at, room));
        }
        const leased = transitions.leaseTransition(transitions.pickFairly(candidates, limit).map(rows.leasable), owner, expires, now);
        await apply(db, leased, now);
        return leased.leased;
      });
    },

    completeAttempt(input) {
      return completeAttempt(input);
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

    async inFlight(now) {
      const found = await pool.query<{ target: string; n: string }>(
        `SELECT target, COUNT(*) AS n FROM ${s}.deliveries WHERE state = 'pending' AND lease_owner IS NOT NULL AND lease_expires_at > $1 GROUP BY target`,
        [now.toISOString()],
      );
      return Object.fromEntries(found.rows.map((r) => [r.target, Number(r.n)]));
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

    async claimDuty({ duty, owner, until, now }) {
      const at = now.toISOString();
      const claimed = await pool.query(claimDutySql(`${s}.cursors`, true), [dutyCursorName(duty), dutyValue(owner, until), at, at, owner]);
      return claimed.rows.length > 0;
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
        await writeRollups(db, into.sums(), 0);
        for (const entry of rebuildAudit(councils, actor)) await appendAuditIn(db, entry, now);
        return { transactions };
      });
    },

    ...postgresRetentionMethods({ pool, s, transaction, appendAuditIn }),
  };
  return store;
}

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
