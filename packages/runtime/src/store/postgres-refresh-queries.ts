import type { Pool } from 'pg';
import { budgetWindow, pickRefreshCases, refreshReadSize, toRefreshCandidate, type RefreshCandidateRow } from './status-refresh-claim';
import type { Store } from './store-types';

/**
 * The PostgreSQL store's status-refresh queries, for the schema `s` (quoted). Each reads one of two
 * partial indexes, per target: deliveries_refresh_new (delivered, never checked) from its oldest end,
 * or deliveries_refresh_due (delivered, next check scheduled) up to now; cases already closed are in
 * neither, so a claim costs what it costs however many cases are open (a test checks the plans on a
 * full, analysed table). The target's budget row is locked first, so claimers of one target take
 * turns; SKIP LOCKED passes over a case being settled instead of waiting for it.
 */
export function postgresRefreshQueries(s: string) {
  const latest = `(SELECT u.body FROM ${s}.status_updates u WHERE u.transaction_id = d.transaction_id COLLATE "default" AND u.target = d.target COLLATE "default" ORDER BY u.id DESC LIMIT 1) AS latest`;
  return {
    /** A target's delivered cases never checked, delivered at or before a time, oldest first: $1 target, $2 delivered before, $3 limit. */
    fresh: `SELECT d.id, d.transaction_id, d.receipt ->> 'externalRef' AS external_ref, d.refresh_delay_ms AS delay_ms, d.updated_at AS since, ${latest}
      FROM ${s}.deliveries d WHERE d.state = 'delivered' AND d.refresh_state IS NULL AND d.target = $1 AND d.updated_at <= $2
      ORDER BY d.updated_at LIMIT $3 FOR UPDATE OF d SKIP LOCKED`,
    /** A target's cases whose next check is due, soonest first: $1 target, $2 now, $3 limit. */
    scheduled: `SELECT d.id, d.transaction_id, d.receipt ->> 'externalRef' AS external_ref, d.refresh_delay_ms AS delay_ms, d.refresh_at AS since, ${latest}
      FROM ${s}.deliveries d WHERE d.state = 'delivered' AND d.refresh_state = 'open' AND d.target = $1 AND d.refresh_at <= $2
      ORDER BY d.refresh_at LIMIT $3 FOR UPDATE OF d SKIP LOCKED`,
    /** Locks (creating it if missing) a target's budget row: $1 target, $2 now. */
    budget: `INSERT INTO ${s}.refresh_budgets (target, window_start, used) VALUES ($1, $2, 0)
      ON CONFLICT (target) DO UPDATE SET target = EXCLUDED.target RETURNING window_start, used`,
    saveBudget: `UPDATE ${s}.refresh_budgets SET window_start = $2, used = $3 WHERE target = $1`,
    /** Closes cases: $1 delivery ids. */
    close: `UPDATE ${s}.deliveries SET refresh_state = 'done', refresh_at = NULL, refresh_delay_ms = NULL WHERE id = ANY($1::text[]) AND state = 'delivered'`,
    /** Hands cases out until a time, keeping each one's backoff step: $1 until, $2 delivery ids, $3 steps. */
    claim: `UPDATE ${s}.deliveries d SET refresh_state = 'open', refresh_at = $1, refresh_delay_ms = v.delay_ms
      FROM unnest($2::text[], $3::bigint[]) AS v(id, delay_ms) WHERE d.id = v.id AND d.state = 'delivered'`,
    /** Schedules (or closes) one case: $1 state ('open' or 'done'), $2 next check, $3 backoff step, $4 delivery id. */
    schedule: `UPDATE ${s}.deliveries SET refresh_state = $1, refresh_at = $2, refresh_delay_ms = $3 WHERE id = $4 AND state = 'delivered'`,
  };
}

type Queryable = Pick<Pool, 'query'>;

/** What the refresh methods need from the PostgreSQL store: its schema name, pool and transaction runner. */
export interface PostgresRefreshHelpers {
  /** The quoted schema name. */
  s: string;
  pool: Queryable;
  transaction<R>(fn: (db: Queryable) => Promise<R>): Promise<R>;
}

/** The PostgreSQL store's status-refresh methods. */
export function postgresRefreshMethods({
  s,
  pool,
  transaction,
}: PostgresRefreshHelpers): Pick<Store, 'claimStatusRefresh' | 'settleStatusRefresh'> {
  const sql = postgresRefreshQueries(s);
  return {
    async claimStatusRefresh(input) {
      return transaction(async (db) => {
        const head = (await db.query<{ window_start: Date; used: number }>(sql.budget, [input.target, input.now])).rows[0];
        const window = budgetWindow(head && { start: head.window_start.getTime(), used: head.used }, input.now.getTime(), input.budget);
        const room = Math.min(input.limit, window.room);
        if (room <= 0) return { cases: [], closed: 0, budgetLeft: window.room };
        const read = refreshReadSize(input.limit);
        const fresh = await db.query<RefreshCandidateRow>(sql.fresh, [
          input.target,
          new Date(input.now.getTime() - input.firstAfterMs),
          read,
        ]);
        const scheduled = await db.query<RefreshCandidateRow>(sql.scheduled, [input.target, input.now, read]);
        const { take, close } = pickRefreshCases(
          [fresh.rows.map((r) => toRefreshCandidate(r, input.firstAfterMs)), scheduled.rows.map((r) => toRefreshCandidate(r, 0))],
          room,
          { ...input, read },
        );
        if (close.length) await db.query(sql.close, [close]);
        if (take.length) {
          await db.query(sql.claim, [
            new Date(input.now.getTime() + input.claimMs),
            take.map((c) => c.deliveryId),
            take.map((c) => c.delayMs),
          ]);
        }
        await db.query(sql.saveBudget, [input.target, new Date(window.start), window.used + take.length]);
        return { cases: take, closed: close.length, budgetLeft: window.room - take.length };
      });
    },

    async settleStatusRefresh({ deliveryId, next, delayMs }) {
      await pool.query(sql.schedule, [next ? 'open' : 'done', next ?? null, next ? delayMs : null, deliveryId]);
    },
  };
}
