import Database from 'better-sqlite3';
import type { Envelope, StatusUpdate } from '@lgx/core';
import { chainAuditEntry } from './audit-chain';
import { payloadHash } from './canonical-json';
import { DATABASE_FILE_MODE, secureDatabaseFile } from './file-mode';
import { changeParameters, fallbackAudit, handOffCandidates, outcomeTransition, pendingByTarget, pickFairly, resendTransition, rotate } from './delivery-transitions';
import { SQLITE_LEASE_QUERIES } from './sqlite-lease-queries';
import { sqliteBatchReads } from './sqlite-read-queries';
import { SQLITE_MIGRATIONS } from './sqlite-schema';
import {
  toAttempt,
  toAuditEntry,
  toDelivery,
  toStatusUpdate,
  toTransaction,
  type AttemptRow,
  type AuditRow,
  type DeliveryRow,
  type StatusUpdateRow,
  type TransactionRow,
} from './sqlite-rows';
import type { AttemptOutcome, AttemptRecord, AuditEntry, AuditInput, InsertedTransaction, LeasedDelivery, NewTransaction, Store, StoredStatusUpdate, WorkerRecord } from './store-types';

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
type DeliveryWithEnvelopeRow = DeliveryRow & { envelope: string | null };

/** Transactions purged per write transaction: bounds how long one purge holds the event loop and the write lock. */
const PURGE_BATCH = 500;

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
        for (const job of jobs) {
          try {
            // Inside a transaction, better-sqlite3 runs a nested one as a savepoint.
            results.push({ ok: true, value: db.transaction(job.fn)() });
          } catch (error) {
            results.push({ ok: false, error });
          }
        }
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
    prep('INSERT INTO queue_depth (target, pending) VALUES (?, ?) ON CONFLICT (target) DO UPDATE SET pending = pending + excluded.pending').run(target, delta);
  };

  const appendAuditSync = (input: AuditInput, now: Date): AuditEntry => {
    const last = prep('SELECT seq, hash FROM audit WHERE council = ? ORDER BY seq DESC LIMIT 1').get(input.council) as { seq: number; hash: string } | undefined;
    const entry = chainAuditEntry(input, last, now);
    prep(
      `INSERT INTO audit (council, seq, at, actor, action, transaction_id, delivery_id, payload_hash, details, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      entry.council,
      entry.seq,
      entry.at,
      entry.actor,
      entry.action,
      entry.transactionId ?? null,
      entry.deliveryId ?? null,
      entry.payloadHash ?? null,
      entry.details === undefined ? null : JSON.stringify(entry.details),
      entry.prevHash,
      entry.hash,
    );
    return entry;
  };

  const getDeliveryRow = (id: string): DeliveryRow | undefined => prep('SELECT * FROM deliveries WHERE id = ?').get(id) as DeliveryRow | undefined;

  /** When a fallback link dies, the next skipped link of the chain (by order) takes its turn, due now. */
  const promoteNextFallback = (dead: DeliveryRow, now: Date): void => {
    const next = prep(
      `SELECT * FROM deliveries WHERE transaction_id = ? AND mode = 'fallback' AND state = 'skipped' AND link_order > ?
       ORDER BY link_order, id LIMIT 1`,
    ).get(dead.transaction_id, dead.link_order) as DeliveryRow | undefined;
    if (!next) return;
    const at = now.toISOString();
    prep("UPDATE deliveries SET state = 'pending', next_attempt_at = ?, updated_at = ? WHERE id = ?").run(at, at, next.id);
    addPending(next.target, 1);
    appendAuditSync(fallbackAudit(toDelivery(next), toDelivery(dead)), now);
  };

  const recordAttempt = (deliveryId: string, attempt: AttemptRecord): void => {
    prep(
      `INSERT INTO attempts (delivery_id, attempt, started_at, finished_at, outcome, classification, code, message)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(deliveryId, attempt.attempt, attempt.startedAt, attempt.finishedAt, attempt.outcome, attempt.classification ?? null, attempt.code ?? null, attempt.message ?? null);
  };

  const applyOutcome = (row: DeliveryRow, outcome: AttemptOutcome, now: Date): void => {
    const { change, audit, pendingDelta, promoteFallback } = outcomeTransition(toDelivery(row), outcome);
    prep(
      `UPDATE deliveries SET state = COALESCE(?, state), attempts = ?, receipt = COALESCE(?, receipt), next_attempt_at = COALESCE(?, next_attempt_at),
         last_error = COALESCE(?, last_error), lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
       WHERE id = ?`,
    ).run(...changeParameters(change, now, row.id));
    addPending(row.target, pendingDelta);
    if (audit) appendAuditSync(audit, now);
    if (promoteFallback) promoteNextFallback(row, now);
  };

  /** Leases one chosen row; a row whose lease ran out mid-attempt is first recorded as a re-send. */
  const leaseRow = (row: DeliveryWithEnvelopeRow, owner: string, expires: string, now: Date): LeasedDelivery => {
    const at = now.toISOString();
    const { envelope, ...delivery } = row;
    let attempts = delivery.attempts;
    let lastError = delivery.last_error;
    if (delivery.lease_owner !== null) {
      const resend = resendTransition(toDelivery(delivery), delivery.updated_at, now);
      recordAttempt(delivery.id, resend.attempt);
      appendAuditSync(resend.audit, now);
      attempts = resend.change.attempts;
      lastError = JSON.stringify(resend.change.lastError);
    }
    prep('UPDATE deliveries SET lease_owner = ?, lease_expires_at = ?, attempts = ?, last_error = ?, updated_at = ? WHERE id = ?').run(owner, expires, attempts, lastError, at, delivery.id);
    return {
      ...toDelivery({ ...delivery, attempts, last_error: lastError, lease_owner: owner, lease_expires_at: expires, updated_at: at }),
      envelope: JSON.parse(envelope ?? 'null') as Envelope,
    };
  };

  /**
   * One target's leasable rows, at most `room`: first those whose lease ran out (their holder died
   * mid-attempt), then the ready ones in due order.
   */
  const leasable = (target: string, at: string, room: number): DeliveryWithEnvelopeRow[] => {
    const expired = prep(SQLITE_LEASE_QUERIES.expired).all(target, at, room) as DeliveryWithEnvelopeRow[];
    if (expired.length >= room) return expired;
    return [...expired, ...(prep(SQLITE_LEASE_QUERIES.ready).all(target, at, room - expired.length) as DeliveryWithEnvelopeRow[])];
  };

  /** Live leases a target holds now. */
  const liveLeases = (target: string, at: string): number => (prep(SQLITE_LEASE_QUERIES.live).get(target, at) as { n: number }).n;

  /** Each lease call starts the round of targets one further on. */
  let turn = 0;

  const store: Store = {
    ...sqliteBatchReads(prep),
    async migrate() {
      db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      // In one IMMEDIATE transaction so two processes starting together cannot both apply a migration.
      write(() => {
        const applied = new Set((prep('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version));
        for (const migration of SQLITE_MIGRATIONS) {
          if (applied.has(migration.version)) continue;
          db.exec(migration.sql);
          prep('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, new Date().toISOString());
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
      const added = pendingByTarget(input.deliveries);
      return grouped((): InsertedTransaction => {
        const existing = prep('SELECT id FROM transactions WHERE council = ? AND idempotency_key = ?').get(envelope.council, envelope.idempotencykey) as { id: string } | undefined;
        if (existing) return { id: existing.id, duplicate: true, ...(lease ? { leased: [] } : {}) };
        const at = now.toISOString();
        prep('INSERT INTO transactions (id, council, type, idempotency_key, envelope, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
          envelope.id,
          envelope.council,
          envelope.type,
          envelope.idempotencykey,
          JSON.stringify(envelope),
          at,
        );
        // Decided before the new rows exist, so only deliveries already queued can be in front.
        const handed = new Set(
          lease
            ? handOffCandidates(input.deliveries, lease.targets)
                .filter((d) => !prep(SQLITE_LEASE_QUERIES.readyWaiting).get(d.target, at) && !prep(SQLITE_LEASE_QUERIES.expiredWaiting).get(d.target, at))
                .filter((d) => lease.perTarget === undefined || liveLeases(d.target, at) < lease.perTarget)
                .map((d) => d.id)
            : [],
        );
        const expires = lease ? new Date(now.getTime() + lease.leaseMs).toISOString() : null;
        const insertDelivery = prep(
          `INSERT INTO deliveries (id, transaction_id, council, target, mode, link_order, state, attempts, next_attempt_at, lease_owner, lease_expires_at, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)`,
        );
        const leased: LeasedDelivery[] = [];
        for (const d of input.deliveries) {
          const owner = handed.has(d.id) ? lease!.owner : null;
          const row: DeliveryRow = {
            id: d.id,
            transaction_id: envelope.id,
            council: envelope.council,
            target: d.target,
            mode: d.mode,
            link_order: d.order,
            state: d.state,
            attempts: 0,
            next_attempt_at: at,
            lease_owner: owner,
            lease_expires_at: owner === null ? null : expires,
            last_error: null,
            receipt: null,
            created_at: at,
            updated_at: at,
          };
          insertDelivery.run(row.id, row.transaction_id, row.council, row.target, row.mode, row.link_order, row.state, at, row.lease_owner, row.lease_expires_at, at, at);
          if (owner !== null) leased.push({ ...toDelivery(row), envelope });
        }
        for (const [target, n] of added) addPending(target, n);
        appendAuditSync({ payloadHash: payloadHash(envelope), ...input.audit, council: envelope.council, transactionId: envelope.id }, now);
        return { id: envelope.id, duplicate: false, ...(lease ? { leased } : {}) };
      });
    },

    async getTransaction(id) {
      const row = prep('SELECT * FROM transactions WHERE id = ?').get(id) as TransactionRow | undefined;
      return row ? toTransaction(row) : undefined;
    },

    async listTransactions(query) {
      const where = ['council = ?'];
      const params: unknown[] = [query.council];
      if (query.types?.length) {
        where.push(`type IN (${query.types.map(() => '?').join(', ')})`);
        params.push(...query.types);
      }
      if (query.from) {
        where.push('created_at >= ?');
        params.push(query.from.toISOString());
      }
      if (query.to) {
        where.push('created_at < ?');
        params.push(query.to.toISOString());
      }
      if (query.before) {
        where.push('(created_at < ? OR (created_at = ? AND id < ?))');
        params.push(query.before.createdAt, query.before.createdAt, query.before.id);
      }
      params.push(query.limit);
      const rows = prep(`SELECT * FROM transactions WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ?`).all(...params) as TransactionRow[];
      return rows.map(toTransaction);
    },

    async getDelivery(id) {
      const row = getDeliveryRow(id);
      return row ? toDelivery(row) : undefined;
    },

    async listDeliveries(transactionId) {
      const rows = prep('SELECT * FROM deliveries WHERE transaction_id = ? ORDER BY link_order, created_at, id').all(transactionId) as DeliveryRow[];
      return rows.map(toDelivery);
    },

    async listAttempts(deliveryId) {
      const rows = prep('SELECT * FROM attempts WHERE delivery_id = ? ORDER BY id').all(deliveryId) as AttemptRow[];
      return rows.map(toAttempt);
    },

    async leaseDeliveries({ owner, limit, leaseMs, now, targets, perTarget }) {
      if (limit <= 0 || (targets !== undefined && targets.length === 0)) return [];
      const at = now.toISOString();
      const expires = new Date(now.getTime() + leaseMs).toISOString();
      const round = turn++;
      return grouped(
        () => {
          const order = rotate(targets ?? (prep('SELECT target FROM queue_depth WHERE pending > 0 ORDER BY target').all() as Array<{ target: string }>).map((r) => r.target), round);
          const candidates: DeliveryWithEnvelopeRow[][] = [];
          for (const target of order) {
            const room = perTarget === undefined ? limit : Math.min(limit, perTarget - liveLeases(target, at));
            if (room > 0) candidates.push(leasable(target, at, room));
          }
          return pickFairly(candidates, limit).map((row) => leaseRow(row, owner, expires, now));
        },
        { durable: false, last: true },
      );
    },

    async completeAttempt({ deliveryId, owner, attempt, outcome, now }) {
      return grouped(() => {
        const row = getDeliveryRow(deliveryId);
        // The owner check alone is enough: a lease that ran out and was leased again has its new
        // holder's name on it, and its lost attempt is on record as one of unknown outcome.
        if (!row || row.state !== 'pending' || row.lease_owner !== owner) return false;
        recordAttempt(deliveryId, attempt);
        applyOutcome(row, outcome, now);
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
          const renewed = prep(SQLITE_LEASE_QUERIES.expireOwner).run(
            new Date(now.getTime() + worker.leaseMs).toISOString(),
            worker.id,
            at,
          );
          return renewed.changes;
        },
        { durable: false },
      );
    },

    async listWorkers() {
      const rows = prep('SELECT * FROM workers ORDER BY started_at, id').all() as Array<{ id: string; host: string; pid: number; lease_ms: number; started_at: string; heartbeat_at: string }>;
      return rows.map((r): WorkerRecord => ({ id: r.id, host: r.host, pid: r.pid, leaseMs: r.lease_ms, startedAt: r.started_at, heartbeatAt: r.heartbeat_at }));
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
      const rows = prep('SELECT target, pending FROM queue_depth WHERE pending <> 0 ORDER BY target').all() as Array<{ target: string; pending: number }>;
      const byTarget: Record<string, number> = {};
      let total = 0;
      for (const r of rows) {
        byTarget[r.target] = r.pending;
        total += r.pending;
      }
      return { total, byTarget };
    },

    async listDeadLetters(options = {}) {
      const where = ["state = 'dead'"];
      const params: unknown[] = [];
      if (options.council !== undefined) {
        where.push('council = ?');
        params.push(options.council);
      }
      if (options.target !== undefined) {
        where.push('target = ?');
        params.push(options.target);
      }
      params.push(options.limit ?? -1);
      const rows = prep(`SELECT * FROM deliveries WHERE ${where.join(' AND ')} ORDER BY updated_at DESC, rowid DESC LIMIT ?`).all(...params) as DeliveryRow[];
      return rows.map(toDelivery);
    },

    async replayDeadLetter(deliveryId, { actor, reason, envelope, now }) {
      return write(() => {
        const row = getDeliveryRow(deliveryId);
        if (!row || row.state !== 'dead') return false;
        const at = now.toISOString();
        const details: Record<string, unknown> = { reason, target: row.target, edited: envelope !== undefined };
        let hash: string | undefined;
        if (envelope !== undefined) {
          // The edited envelope replaces the stored one for every delivery of the transaction; its
          // identity fields stay, so dedupe and lookups still find the same transaction.
          const current = prep('SELECT envelope FROM transactions WHERE id = ?').get(row.transaction_id) as { envelope: string | null };
          const previous = current.envelope === null ? undefined : (JSON.parse(current.envelope) as Envelope);
          const next: Envelope = { ...envelope, id: row.transaction_id, council: row.council, idempotencykey: previous?.idempotencykey ?? envelope.idempotencykey };
          prep('UPDATE transactions SET envelope = ?, purged_at = NULL WHERE id = ?').run(JSON.stringify(next), row.transaction_id);
          hash = payloadHash(next);
        } else {
          const current = prep('SELECT envelope FROM transactions WHERE id = ?').get(row.transaction_id) as { envelope: string | null };
          // A purged payload cannot be delivered again; the operator must supply an envelope.
          if (current.envelope === null) return false;
        }
        prep("UPDATE deliveries SET state = 'pending', next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ? WHERE id = ?").run(at, at, deliveryId);
        addPending(row.target, 1);
        const audit: AuditInput = { council: row.council, actor, action: 'dlq.replay', transactionId: row.transaction_id, deliveryId, details };
        if (hash !== undefined) audit.payloadHash = hash;
        appendAuditSync(audit, now);
        return true;
      });
    },

    async discardDeadLetter(deliveryId, { actor, reason, now }) {
      return write(() => {
        const row = getDeliveryRow(deliveryId);
        if (!row || row.state !== 'dead') return false;
        const at = now.toISOString();
        prep("UPDATE deliveries SET state = 'discarded', updated_at = ? WHERE id = ?").run(at, deliveryId);
        appendAuditSync({ council: row.council, actor, action: 'dlq.discard', transactionId: row.transaction_id, deliveryId, details: { reason, target: row.target } }, now);
        return true;
      });
    },

    async appendAudit(entry, now) {
      return write(() => appendAuditSync(entry, now));
    },

    async listAudit(council, options = {}) {
      const where = ['council = ?'];
      const params: unknown[] = [council];
      if (options.transactionId !== undefined) {
        where.push('transaction_id = ?');
        params.push(options.transactionId);
      }
      if (options.afterSeq !== undefined) {
        where.push('seq > ?');
        params.push(options.afterSeq);
      }
      params.push(options.limit ?? -1);
      const rows = prep(`SELECT * FROM audit WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`).all(...params) as AuditRow[];
      return rows.map(toAuditEntry);
    },

    async saveStatusUpdate({ target, update, now }) {
      return write((): StoredStatusUpdate | undefined => {
        const transactionId = update.transactionId ?? findTransactionByReceipt(db, target, update);
        const result = db
          .prepare(
            `INSERT INTO status_updates (transaction_id, target, external_ref, update_id, body, received_at) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (target, external_ref, update_id) WHERE update_id IS NOT NULL DO NOTHING`,
          )
          .run(transactionId ?? null, target, update.externalRef, update.updateId ?? null, JSON.stringify(update), now.toISOString());
        if (result.changes === 0) return undefined;
        const row = prep('SELECT * FROM status_updates WHERE id = ?').get(Number(result.lastInsertRowid)) as StatusUpdateRow;
        return toStatusUpdate(row);
      });
    },

    async listStatusUpdates(transactionId) {
      const rows = prep('SELECT * FROM status_updates WHERE transaction_id = ? ORDER BY id').all(transactionId) as StatusUpdateRow[];
      return rows.map(toStatusUpdate);
    },

    async listCouncilStatusUpdates({ council, from, to, afterId, limit }) {
      const where = ['t.council = ?'];
      const params: unknown[] = [council];
      if (from) {
        where.push('u.received_at >= ?');
        params.push(from.toISOString());
      }
      if (to) {
        where.push('u.received_at <= ?');
        params.push(to.toISOString());
      }
      if (afterId !== undefined) {
        where.push('u.id > ?');
        params.push(afterId);
      }
      params.push(limit);
      const rows = db
        .prepare(`SELECT u.* FROM status_updates u JOIN transactions t ON t.id = u.transaction_id WHERE ${where.join(' AND ')} ORDER BY u.id LIMIT ?`)
        .all(...params) as StatusUpdateRow[];
      return rows.map(toStatusUpdate);
    },

    async getCursor(name) {
      const row = prep('SELECT cursor FROM cursors WHERE name = ?').get(name) as { cursor: string } | undefined;
      return row?.cursor;
    },

    async setCursor(name, cursor) {
      write(() => {
        prep('INSERT INTO cursors (name, cursor, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at').run(
          name,
          cursor,
          new Date().toISOString(),
        );
      });
    },

    async purgePayloads(before) {
      const now = new Date();
      const cutoff = before.toISOString();
      let purged = 0;
      // In batches, each its own write transaction with a turn of the event loop between them, so a
      // large purge never holds the loop or the write lock for long. The position (created_at, rowid)
      // moves on past transactions still pending, so none is read twice.
      let after = { createdAt: '', rowid: 0 };
      for (;;) {
        const batch = write(() => {
          // 'pending' is the only unfinished state: delivered, dead, discarded and skipped are all at rest.
          const rows = prep(
            `SELECT t.rowid AS rowid, t.id AS id, t.council AS council, t.created_at AS created_at,
               EXISTS (SELECT 1 FROM deliveries d WHERE d.transaction_id = t.id AND d.state = 'pending') AS busy
             FROM transactions t WHERE t.envelope IS NOT NULL AND t.created_at < ? AND (t.created_at > ? OR (t.created_at = ? AND t.rowid > ?))
             ORDER BY t.created_at, t.rowid LIMIT ?`,
          ).all(cutoff, after.createdAt, after.createdAt, after.rowid, PURGE_BATCH) as Array<{ rowid: number; id: string; council: string; created_at: string; busy: number }>;
          const purge = prep('UPDATE transactions SET envelope = NULL, purged_at = ? WHERE id = ?');
          let count = 0;
          for (const row of rows) {
            if (row.busy) continue;
            purge.run(now.toISOString(), row.id);
            appendAuditSync({ council: row.council, actor: 'system', action: 'transaction.purged', transactionId: row.id }, now);
            count += 1;
          }
          const tail = rows[rows.length - 1];
          return { count, seen: rows.length, tail };
        });
        purged += batch.count;
        if (batch.seen < PURGE_BATCH || !batch.tail) return purged;
        after = { createdAt: batch.tail.created_at, rowid: batch.tail.rowid };
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    },
  };
  return store;
}

/** A status update without a transaction id is matched to the delivery whose receipt carries its reference. */
function findTransactionByReceipt(db: Db, target: string, update: StatusUpdate): string | undefined {
  const row = db
    .prepare("SELECT transaction_id FROM deliveries WHERE target = ? AND receipt IS NOT NULL AND json_extract(receipt, '$.externalRef') = ? ORDER BY updated_at DESC LIMIT 1")
    .get(target, update.externalRef) as { transaction_id: string } | undefined;
  return row?.transaction_id;
}
