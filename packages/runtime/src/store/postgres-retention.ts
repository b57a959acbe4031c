import type { QueryResult } from 'pg';
import * as transitions from './delivery-transitions';
import { cutoffOf, heldTypesSql, retentionPageSql, retentionPreviewSql } from './retention-sql';
import { SqlParams } from './sql-params';
import type { AuditEntry, AuditInput, Store } from './store-types';

interface Queryable {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/** What retention needs from the PostgreSQL store: its pool, a database transaction and the audit chain. */
export interface PostgresRetentionHelpers {
  pool: Queryable;
  /** The schema, quoted. */
  s: string;
  transaction<R>(fn: (db: Queryable) => Promise<R>): Promise<R>;
  appendAuditIn(db: Queryable, input: AuditInput, now: Date): Promise<AuditEntry>;
}

/** Transactions purged per database transaction: bounds how long their rows and audit heads stay locked. */
const PURGE_BATCH = 500;

/** The PostgreSQL store's retention: purging payloads that ended before their type's cut-off, and a dry run of it. */
export function postgresRetentionMethods({
  pool,
  s,
  transaction,
  appendAuditIn,
}: PostgresRetentionHelpers): Pick<Store, 'purgePayloads' | 'previewPurge'> {
  const t = (name: string): string => `${s}.${name}`;
  const heldTypes = async (): Promise<string[]> => (await pool.query<{ type: string }>(heldTypesSql(t))).rows.map((r) => r.type);

  /** Purges one page of candidates: locked and checked again, as a replay may have made a delivery pending since they were read. */
  const purgeBatch = (ids: string[], now: Date): Promise<number> =>
    transaction(async (db) => {
      // Locked in id order, so two purgers cannot deadlock; the pending check is a new statement,
      // so under READ COMMITTED it sees every commit made before the locks were granted.
      const locked = (
        await db.query<{ id: string; council: string }>(
          `SELECT id, council FROM ${s}.transactions WHERE id = ANY($1::text[]) AND envelope IS NOT NULL ORDER BY id FOR UPDATE`,
          [ids],
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

  return {
    async purgePayloads(cutoffs) {
      const now = new Date();
      let purged = 0;
      for (const type of await heldTypes()) {
        const before = cutoffOf(cutoffs, type);
        // Pages of candidates from plain reads, in the index's order (ended_at, id); the position moves
        // on past transactions still pending, so none is read twice.
        let after: { endedAt: Date; key: string } | undefined;
        for (;;) {
          const p = new SqlParams(true);
          const sql = retentionPageSql(t, p, { type, before, after, tiebreak: 'tr.id', limit: PURGE_BATCH });
          const candidates = (await pool.query<{ id: string; ended_at: Date; pending: boolean }>(sql, p.values)).rows;
          const ready = candidates.filter((c) => !c.pending).map((c) => c.id);
          if (ready.length > 0) purged += await purgeBatch([...ready].sort(), now);
          const tail = candidates[candidates.length - 1];
          if (candidates.length < PURGE_BATCH || !tail) break;
          after = { endedAt: tail.ended_at, key: tail.id };
        }
      }
      return purged;
    },

    async previewPurge(cutoffs) {
      const rows = [];
      for (const type of await heldTypes()) {
        const p = new SqlParams(true);
        const sql = retentionPreviewSql(t, p, { type, before: cutoffOf(cutoffs, type) });
        const found = await pool.query<{ state: string; count: string; oldest: Date; newest: Date }>(sql, p.values);
        for (const r of found.rows)
          rows.push({
            type,
            state: r.state,
            count: Number(r.count),
            oldestEndedAt: r.oldest.toISOString(),
            newestEndedAt: r.newest.toISOString(),
          });
      }
      return rows;
    },
  };
}
