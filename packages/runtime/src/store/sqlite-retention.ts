import type Database from 'better-sqlite3';
import * as transitions from './delivery-transitions';
import { cutoffOf, heldTypesSql, retentionPageSql, retentionPreviewSql } from './retention-sql';
import { SqlParams } from './sql-params';
import { SQLITE_ROWS } from './store-rows';
import type { AuditEntry, AuditInput, Store } from './store-types';

/** What retention needs from the SQLite store: its statement cache, a write transaction and the audit chain. */
export interface SqliteRetentionHelpers {
  prep(sql: string): Database.Statement;
  write<R>(fn: () => R): R;
  appendAuditSync(input: AuditInput, now: Date): AuditEntry;
}

/** Transactions purged per write transaction: bounds how long one purge holds the event loop and the write lock. */
const PURGE_BATCH = 500;
const HELD_TYPES = heldTypesSql((name) => name);
const PURGE = 'UPDATE transactions SET envelope = NULL, purged_at = ? WHERE id = ?';

interface Candidate {
  position: number;
  id: string;
  council: string;
  ended_at: string;
  pending: number;
}

/** The SQLite store's retention: purging payloads that ended before their type's cut-off, and a dry run of it. */
export function sqliteRetentionMethods({
  prep,
  write,
  appendAuditSync,
}: SqliteRetentionHelpers): Pick<Store, 'purgePayloads' | 'previewPurge'> {
  const heldTypes = (): string[] => (prep(HELD_TYPES).all() as Array<{ type: string }>).map((r) => r.type);
  const page = (type: string, before: string, after: { endedAt: string; key: number } | undefined): Candidate[] => {
    const p = new SqlParams(false);
    const sql = retentionPageSql((name) => name, p, { type, before, after, tiebreak: 'tr.rowid', limit: PURGE_BATCH });
    return prep(sql).all(...p.values) as Candidate[];
  };
  return {
    async purgePayloads(cutoffs) {
      const now = new Date();
      let purged = 0;
      for (const type of heldTypes()) {
        const before = cutoffOf(cutoffs, type);
        // In batches, each its own write transaction with a turn of the event loop between them, so a
        // large purge never holds the loop or the write lock for long. The position (ended_at, rowid)
        // moves on past transactions still pending, so none is read twice.
        let after: { endedAt: string; key: number } | undefined;
        for (;;) {
          const batch = write(() => {
            const candidates = page(type, before, after);
            let count = 0;
            for (const candidate of candidates) {
              const audit = transitions.purgeTransition({
                id: candidate.id,
                council: candidate.council,
                pending: SQLITE_ROWS.flag(candidate.pending),
              });
              if (!audit) continue;
              prep(PURGE).run(now.toISOString(), candidate.id);
              appendAuditSync(audit, now);
              count += 1;
            }
            return { count, seen: candidates.length, tail: candidates[candidates.length - 1] };
          });
          purged += batch.count;
          await new Promise<void>((resolve) => setImmediate(resolve));
          if (batch.seen < PURGE_BATCH || !batch.tail) break;
          after = { endedAt: batch.tail.ended_at, key: batch.tail.position };
        }
      }
      return purged;
    },

    async previewPurge(cutoffs) {
      return heldTypes().flatMap((type) => {
        const p = new SqlParams(false);
        const sql = retentionPreviewSql((name) => name, p, { type, before: cutoffOf(cutoffs, type) });
        return (prep(sql).all(...p.values) as Array<{ state: string; count: number; oldest: string; newest: string }>).map((r) => ({
          type,
          state: r.state,
          count: Number(r.count),
          oldestEndedAt: r.oldest,
          newestEndedAt: r.newest,
        }));
      });
    },
  };
}
