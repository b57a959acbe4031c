import type Database from 'better-sqlite3';
import { budgetWindow, pickRefreshCases, refreshReadSize, toRefreshCandidate, type RefreshCandidateRow } from './status-refresh-claim';
import type { Store } from './store-types';

/**
 * The SQLite store's status-refresh queries. Each reads one of two partial indexes, per target:
 * deliveries_refresh_new (delivered, never checked) from its oldest end, or deliveries_refresh_due
 * (delivered, next check scheduled) up to now; cases already closed are in neither. So a claim costs
 * what it costs however many cases are open; a test checks their query plans on a full table.
 */
export const SQLITE_REFRESH_QUERIES = {
  /** A target's delivered cases never checked, delivered at or before a time, oldest first: target, delivered before, limit. */
  fresh: `SELECT d.id, d.transaction_id, json_extract(d.receipt, '$.externalRef') AS external_ref, d.refresh_delay_ms AS delay_ms, d.updated_at AS since,
      (SELECT u.body FROM status_updates u WHERE u.transaction_id = d.transaction_id AND u.target = d.target ORDER BY u.id DESC LIMIT 1) AS latest
    FROM deliveries d WHERE d.state = 'delivered' AND d.refresh_state IS NULL AND d.target = ? AND d.updated_at <= ?
    ORDER BY d.updated_at LIMIT ?`,
  /** A target's cases whose next check is due, soonest first: target, now, limit. */
  scheduled: `SELECT d.id, d.transaction_id, json_extract(d.receipt, '$.externalRef') AS external_ref, d.refresh_delay_ms AS delay_ms, d.refresh_at AS since,
      (SELECT u.body FROM status_updates u WHERE u.transaction_id = d.transaction_id AND u.target = d.target ORDER BY u.id DESC LIMIT 1) AS latest
    FROM deliveries d WHERE d.state = 'delivered' AND d.refresh_state = 'open' AND d.target = ? AND d.refresh_at <= ?
    ORDER BY d.refresh_at LIMIT ?`,
  budget: 'SELECT window_start, used FROM refresh_budgets WHERE target = ?',
  saveBudget:
    'INSERT INTO refresh_budgets (target, window_start, used) VALUES (?, ?, ?) ON CONFLICT (target) DO UPDATE SET window_start = excluded.window_start, used = excluded.used',
  /** Schedules (or closes) one case: state ('open' or 'done'), next check, backoff step, delivery id. */
  schedule: "UPDATE deliveries SET refresh_state = ?, refresh_at = ?, refresh_delay_ms = ? WHERE id = ? AND state = 'delivered'",
} as const;

/** What the refresh methods need from the SQLite store: its statement cache and its group commit. */
export interface SqliteRefreshHelpers {
  prep(sql: string): Database.Statement;
  grouped<R>(fn: () => R, options?: { durable?: boolean }): Promise<R>;
}

/**
 * The SQLite store's status-refresh methods. Neither needs to survive a power cut: a claim lost is
 * a case asked about again, a schedule lost is a case checked once more, so both commit without
 * waiting for the disk.
 */
export function sqliteRefreshMethods({ prep, grouped }: SqliteRefreshHelpers): Pick<Store, 'claimStatusRefresh' | 'settleStatusRefresh'> {
  return {
    async claimStatusRefresh(input) {
      const now = input.now.getTime();
      return grouped(
        () => {
          const stored = prep(SQLITE_REFRESH_QUERIES.budget).get(input.target) as { window_start: string; used: number } | undefined;
          const window = budgetWindow(stored && { start: Date.parse(stored.window_start), used: stored.used }, now, input.budget);
          const room = Math.min(input.limit, window.room);
          if (room <= 0) return { cases: [], closed: 0, budgetLeft: window.room };
          const read = refreshReadSize(input.limit);
          const fresh = prep(SQLITE_REFRESH_QUERIES.fresh).all(
            input.target,
            new Date(now - input.firstAfterMs).toISOString(),
            read,
          ) as RefreshCandidateRow[];
          const scheduled = prep(SQLITE_REFRESH_QUERIES.scheduled).all(
            input.target,
            input.now.toISOString(),
            read,
          ) as RefreshCandidateRow[];
          const { take, close } = pickRefreshCases(
            [fresh.map((r) => toRefreshCandidate(r, input.firstAfterMs)), scheduled.map((r) => toRefreshCandidate(r, 0))],
            room,
            { ...input, read },
          );
          const schedule = prep(SQLITE_REFRESH_QUERIES.schedule);
          for (const id of close) schedule.run('done', null, null, id);
          const until = new Date(now + input.claimMs).toISOString();
          for (const c of take) schedule.run('open', until, c.delayMs, c.deliveryId);
          prep(SQLITE_REFRESH_QUERIES.saveBudget).run(input.target, new Date(window.start).toISOString(), window.used + take.length);
          return { cases: take, closed: close.length, budgetLeft: window.room - take.length };
        },
        { durable: false },
      );
    },

    async settleStatusRefresh({ deliveryId, next, delayMs }) {
      await grouped(
        () => {
          prep(SQLITE_REFRESH_QUERIES.schedule).run(
            next ? 'open' : 'done',
            next ? next.toISOString() : null,
            next ? delayMs : null,
            deliveryId,
          );
        },
        { durable: false },
      );
    },
  };
}
