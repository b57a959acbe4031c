import Database from 'better-sqlite3';
import type { Envelope, StatusUpdate } from '@lgx/core';
import { chainAuditEntry } from './audit-chain';
import { payloadHash } from './canonical-json';
import { DATABASE_FILE_MODE, secureDatabaseFile } from './file-mode';
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
import type { AttemptOutcome, AttemptRecord, AuditEntry, AuditInput, LeasedDelivery, NewTransaction, Store, StoredStatusUpdate } from './store-types';

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
   */
  type GroupedWrite = { fn: () => unknown; resolve: (value: unknown) => void; reject: (error: unknown) => void };
  let pending: GroupedWrite[] = [];
  const flush = (): void => {
    const jobs = pending;
    pending = [];
    if (jobs.length === 0 || !db.open) {
      for (const job of jobs) job.reject(new Error('the SQLite store is closed'));
      return;
    }
    const results: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
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
    }
    jobs.forEach((job, i) => {
      const result = results[i]!;
      if (result.ok) job.resolve(result.value);
      else job.reject(result.error);
    });
  };
  const grouped = <R>(fn: () => R): Promise<R> =>
    new Promise<R>((resolve, reject) => {
      if (pending.length === 0) setImmediate(flush);
      pending.push({ fn, resolve: resolve as (value: unknown) => void, reject });
    });

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
    if (dead.mode !== 'fallback') return;
    const next = db
      .prepare(
        `SELECT * FROM deliveries WHERE transaction_id = ? AND mode = 'fallback' AND state = 'skipped' AND link_order > ?
         ORDER BY link_order, id LIMIT 1`,
      )
      .get(dead.transaction_id, dead.link_order) as DeliveryRow | undefined;
    if (!next) return;
    const at = now.toISOString();
    prep("UPDATE deliveries SET state = 'pending', next_attempt_at = ?, updated_at = ? WHERE id = ?").run(at, at, next.id);
    appendAuditSync(
      { council: next.council, actor: 'system', action: 'delivery.fallback', transactionId: next.transaction_id, deliveryId: next.id, details: { target: next.target, order: next.link_order, after: dead.id } },
      now,
    );
  };

  const recordAttempt = (deliveryId: string, attempt: AttemptRecord): void => {
    prep(
      `INSERT INTO attempts (delivery_id, attempt, started_at, finished_at, outcome, classification, code, message)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(deliveryId, attempt.attempt, attempt.startedAt, attempt.finishedAt, attempt.outcome, attempt.classification ?? null, attempt.code ?? null, attempt.message ?? null);
  };

  const applyOutcome = (row: DeliveryRow, outcome: AttemptOutcome, now: Date): void => {
    const at = now.toISOString();
    const audit = { council: row.council, actor: 'system', transactionId: row.transaction_id, deliveryId: row.id };
    switch (outcome.kind) {
      case 'delivered':
        prep(
          `UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, receipt = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
           WHERE id = ?`,
        ).run(JSON.stringify(outcome.receipt), at, row.id);
        appendAuditSync({ ...audit, action: 'delivery.delivered', payloadHash: payloadHash(outcome.receipt), details: { target: row.target, attempt: row.attempts + 1 } }, now);
        return;
      case 'retry':
        prep(
          `UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
           WHERE id = ?`,
        ).run(outcome.nextAttemptAt.toISOString(), JSON.stringify(outcome.error), at, row.id);
        return;
      case 'dead': {
        prep(
          `UPDATE deliveries SET state = 'dead', attempts = attempts + 1, last_error = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
           WHERE id = ?`,
        ).run(JSON.stringify(outcome.error), at, row.id);
        // Only the class and code go in the audit: the message, though redacted, is free text.
        const details: Record<string, unknown> = { target: row.target, attempt: row.attempts + 1, classification: outcome.error.classification };
        if (outcome.error.code !== undefined) details['code'] = outcome.error.code;
        appendAuditSync({ ...audit, action: 'delivery.dead', details }, now);
        promoteNextFallback(row, now);
        return;
      }
    }
  };

  const store: Store = {
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
      const { envelope, now } = input;
      return grouped(() => {
        const existing = prep('SELECT id FROM transactions WHERE council = ? AND idempotency_key = ?').get(envelope.council, envelope.idempotencykey) as { id: string } | undefined;
        if (existing) return { id: existing.id, duplicate: true };
        const at = now.toISOString();
        prep('INSERT INTO transactions (id, council, type, idempotency_key, envelope, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
          envelope.id,
          envelope.council,
          envelope.type,
          envelope.idempotencykey,
          JSON.stringify(envelope),
          at,
        );
        const insertDelivery = prep(
          `INSERT INTO deliveries (id, transaction_id, council, target, mode, link_order, state, attempts, next_attempt_at, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`,
        );
        for (const d of input.deliveries) insertDelivery.run(d.id, envelope.id, envelope.council, d.target, d.mode, d.order, d.state, at, at, at);
        appendAuditSync({ payloadHash: payloadHash(envelope), ...input.audit, council: envelope.council, transactionId: envelope.id }, now);
        return { id: envelope.id, duplicate: false };
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
      // A lease need not survive a power cut: a lost one is a lease that ran out, and the delivery is
      // leased again (its idempotency key covers a vendor call already made). So it commits without
      // waiting for the disk; WAL order makes it durable with the next durable commit. A process crash
      // (kill -9) loses nothing either way: the write is in the WAL file already.
      db.pragma('synchronous = NORMAL');
      try {
        return write(() => {
          const held = new Map<string, number>();
          if (perTarget !== undefined) {
            const rows = db
              .prepare("SELECT target, COUNT(*) AS n FROM deliveries WHERE state = 'pending' AND lease_expires_at > ? GROUP BY target")
              .all(at) as Array<{ target: string; n: number }>;
            for (const r of rows) held.set(r.target, r.n);
          }
          const targetFilter = targets === undefined ? '' : `AND d.target IN (${targets.map(() => '?').join(', ')})`;
          // Without a per-target cap the first `limit` due rows are the answer; with one, rows are read
          // until `limit` fit, skipping targets already at their cap.
          const sql = `SELECT d.*, t.envelope AS envelope FROM deliveries d JOIN transactions t ON t.id = d.transaction_id
             WHERE d.state = 'pending' AND d.next_attempt_at <= ? AND (d.lease_expires_at IS NULL OR d.lease_expires_at <= ?)
               AND t.envelope IS NOT NULL ${targetFilter}
             ORDER BY d.next_attempt_at, d.created_at, d.id ${perTarget === undefined ? 'LIMIT ?' : ''}`;
          const params: unknown[] = [at, at, ...(targets ?? [])];
          if (perTarget === undefined) params.push(limit);
          const chosen: DeliveryWithEnvelopeRow[] = [];
          // better-sqlite3 forbids other statements while an iterator is open, so pick first, update after.
          for (const raw of prep(sql).iterate(...params)) {
            const row = raw as DeliveryWithEnvelopeRow;
            if (perTarget !== undefined) {
              const n = held.get(row.target) ?? 0;
              if (n >= perTarget) continue;
              held.set(row.target, n + 1);
            }
            chosen.push(row);
            if (chosen.length >= limit) break;
          }
          const lease = prep('UPDATE deliveries SET lease_owner = ?, lease_expires_at = ?, updated_at = ? WHERE id = ?');
          return chosen.map((row): LeasedDelivery => {
            lease.run(owner, expires, at, row.id);
            const { envelope, ...delivery } = row;
            return {
              ...toDelivery({ ...delivery, lease_owner: owner, lease_expires_at: expires, updated_at: at }),
              envelope: JSON.parse(envelope ?? 'null') as Envelope,
            };
          });
        });
      } finally {
        db.pragma('synchronous = FULL');
      }
    },

    async completeAttempt({ deliveryId, owner, attempt, outcome, now }) {
      return grouped(() => {
        const row = getDeliveryRow(deliveryId);
        // The owner check alone is enough: a lease that expired and was taken by another worker has
        // that worker's name on it. A late result from a worker whose lease expired unclaimed is kept,
        // because nobody else can have delivered it in the meantime.
        if (!row || row.state !== 'pending' || row.lease_owner !== owner) return false;
        recordAttempt(deliveryId, attempt);
        applyOutcome(row, outcome, now);
        return true;
      });
    },

    async releaseLease(deliveryId, owner) {
      write(() => {
        prep('UPDATE deliveries SET lease_owner = NULL, lease_expires_at = NULL WHERE id = ? AND lease_owner = ?').run(deliveryId, owner);
      });
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
      return write(() => {
        // 'pending' is the only unfinished state: delivered, dead, discarded and skipped are all at rest.
        const rows = db
          .prepare(
            `SELECT id, council FROM transactions t WHERE t.envelope IS NOT NULL AND t.created_at < ?
             AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.transaction_id = t.id AND d.state = 'pending')`,
          )
          .all(before.toISOString()) as Array<{ id: string; council: string }>;
        const purge = prep('UPDATE transactions SET envelope = NULL, purged_at = ? WHERE id = ?');
        for (const row of rows) {
          purge.run(now.toISOString(), row.id);
          appendAuditSync({ council: row.council, actor: 'system', action: 'transaction.purged', transactionId: row.id }, now);
        }
        return rows.length;
      });
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
