import type { SqlParams } from './sql-params';

/**
 * A transaction's state as SQL, from its deliveries (shadow ones never count): the rule of
 * `stateOf` in read/transaction-state.ts, written once for both dialects. `t(name)` qualifies a table;
 * the expression reads the row of `transactions` being updated.
 */
export function transactionStateSql(t: (name: string) => string): string {
  const any = (condition: string): string =>
    `EXISTS (SELECT 1 FROM ${t('deliveries')} d WHERE d.transaction_id = ${t('transactions')}.id AND d.mode <> 'shadow'${condition})`;
  return `CASE
    WHEN ${any(` AND d.state = 'pending'`)} THEN 'pending'
    WHEN ${any(` AND d.state = 'delivered'`)} THEN 'delivered'
    WHEN ${any(` AND d.state = 'dead'`)} THEN 'dead'
    WHEN ${any('')} THEN 'discarded'
    ELSE 'pending' END`;
}

/** A back office's activity, read in one statement (see `Store.targetActivity`). */
export function targetActivitySql(
  t: (name: string) => string,
  p: SqlParams,
  q: { council: string; target: string; since: string; cap: number },
): string {
  // SQLite's placeholders are positional: each use of a value adds it again.
  const of = (): string => `council = ${p.add(q.council)} AND target = ${p.add(q.target)}`;
  const deliveries = t('deliveries');
  // Each part reads one partial index from its start and stops at the cap: its cost depends on the
  // cap, never on how many rows the table holds.
  return `SELECT
    (SELECT created_at FROM ${deliveries} WHERE ${of()} AND state = 'pending' ORDER BY created_at LIMIT 1) AS oldest_queued_at,
    (SELECT COUNT(*) FROM (SELECT 1 FROM ${deliveries} WHERE ${of()} AND state = 'pending' AND attempts > 0 LIMIT ${p.add(q.cap)}) r) AS retrying,
    (SELECT COUNT(*) FROM (SELECT 1 FROM ${deliveries} WHERE ${of()} AND state = 'dead' LIMIT ${p.add(q.cap)}) x) AS dead,
    (SELECT COUNT(*) FROM (SELECT 1 FROM ${deliveries} WHERE ${of()} AND state = 'delivered' AND updated_at >= ${p.add(q.since)}
      LIMIT ${p.add(q.cap)}) h) AS delivered_since`;
}
