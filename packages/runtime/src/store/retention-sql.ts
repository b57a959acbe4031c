import type { SqlParams } from './sql-params';
import type { RetentionCutoffs } from './store-types';

/**
 * The statements retention runs, written once for both dialects. Every one reads the partial index
 * `transactions_retention` (type, ended_at) over stored payloads that have ended, one type at a time
 * from the start of its range, so its cost follows the rows that go, never the rows kept.
 */

/** The rows of the retention index: a payload still stored, of a transaction that has ended. */
const HELD = 'envelope IS NOT NULL AND ended_at IS NOT NULL';

/**
 * When a transaction ended, kept on its row: the first time none of its deliveries was pending (the
 * rule of a purge: delivered, dead, discarded, or nothing to deliver), cleared when a replay or a
 * fallback link makes one pending again. `now` is a placeholder.
 */
export function endedAtSql(t: (name: string) => string, now: string): string {
  const transactions = t('transactions');
  return `CASE WHEN EXISTS (SELECT 1 FROM ${t('deliveries')} d WHERE d.transaction_id = ${transactions}.id AND d.state = 'pending')
    THEN NULL ELSE COALESCE(${transactions}.ended_at, ${now}) END`;
}

/**
 * The types that have payloads held, by a loose scan of the index: one seek per type, so listing
 * them costs the number of types, not of rows.
 */
export function heldTypesSql(t: (name: string) => string): string {
  const transactions = t('transactions');
  return `WITH RECURSIVE held(type) AS (
      SELECT MIN(type) FROM ${transactions} WHERE ${HELD}
      UNION ALL
      SELECT (SELECT MIN(x.type) FROM ${transactions} x WHERE x.envelope IS NOT NULL AND x.ended_at IS NOT NULL AND x.type > held.type)
        FROM held WHERE held.type IS NOT NULL
    ) SELECT type FROM held WHERE type IS NOT NULL`;
}

/** What would go for one type: per state, how many and their oldest and newest end times. */
export function retentionPreviewSql(t: (name: string) => string, p: SqlParams, q: { type: string; before: string }): string {
  // A transaction with nothing to deliver (a journey start, a rating) keeps the state 'pending': say so.
  return `SELECT CASE WHEN state = 'pending' THEN 'nothing-to-deliver' ELSE state END AS state,
      COUNT(*) AS count, MIN(ended_at) AS oldest, MAX(ended_at) AS newest
    FROM ${t('transactions')} tr
    WHERE type = ${p.add(q.type)} AND ${HELD} AND ended_at < ${p.add(q.before)}
      AND NOT EXISTS (SELECT 1 FROM ${t('deliveries')} d WHERE d.transaction_id = tr.id AND d.state = 'pending')
    GROUP BY 1 ORDER BY 1`;
}

/**
 * The next page of one type's candidates after the position (end time, `tiebreak`): `tiebreak` is
 * SQLite's rowid or PostgreSQL's id, the index's own order after ended_at, so no page sorts.
 */
export function retentionPageSql(
  t: (name: string) => string,
  p: SqlParams,
  q: { type: string; before: string; after: { endedAt: unknown; key: unknown } | undefined; tiebreak: string; limit: number },
): string {
  const position = q.after
    ? ` AND (ended_at > ${p.add(q.after.endedAt)} OR (ended_at = ${p.add(q.after.endedAt)} AND ${q.tiebreak} > ${p.add(q.after.key)}))`
    : '';
  return `SELECT ${q.tiebreak} AS position, id, council, ended_at,
      EXISTS (SELECT 1 FROM ${t('deliveries')} d WHERE d.transaction_id = tr.id AND d.state = 'pending') AS pending
    FROM ${t('transactions')} tr
    WHERE type = ${p.add(q.type)} AND ${HELD} AND ended_at < ${p.add(q.before)}${position}
    ORDER BY ended_at, ${q.tiebreak} LIMIT ${p.add(q.limit)}`;
}

/** The cut-off of one type as an ISO-8601 time: its own, or the one for every type. */
export function cutoffOf(cutoffs: Date | RetentionCutoffs, type: string): string {
  if (cutoffs instanceof Date) return cutoffs.toISOString();
  return (Object.hasOwn(cutoffs.types ?? {}, type) ? cutoffs.types![type]! : cutoffs.before).toISOString();
}
