import Database from 'better-sqlite3';
import pg from 'pg';

/**
 * A backlog of delivered cases for the status refresh, written straight into a migrated store's
 * tables (filling 100,000 through the store would take minutes). Delivery i (1..count): target
 * 'quiet' when i divides by 10, else 'busy'; still pending when i % 10 = 5, else delivered at
 * REFRESH_BACKLOG_AT + i seconds with a receipt for 'REF-<i>'; by i % 3: 0 scheduled for a check a day
 * after its delivery, 1 never checked, 2 done; the never-checked busy ones whose i divides by 7 have a
 * final status ('closed') stored.
 */
export const REFRESH_BACKLOG_AT = '2026-03-02T09:00:00.000Z';

/** How many deliveries the backlog needs to hold `open` open cases (delivered, not done), of either target. */
export function refreshBacklogRows(open: number): number {
  let rows = 0;
  for (let found = 0; found < open;) {
    rows += 1;
    if (rows % 10 !== 5 && rows % 3 !== 2) found += 1;
  }
  return rows;
}

export function fillRefreshBacklogSqlite(file: string, count: number): void {
  const db = new Database(file);
  const at = REFRESH_BACKLOG_AT;
  try {
    db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
      INSERT INTO transactions (id, council, type, idempotency_key, envelope, created_at)
      SELECT printf('tx-%06d', i), 'E07000223', 'street.report', 'key-' || i, '{}', '${at}' FROM n`);
    db.exec(`INSERT INTO deliveries (id, transaction_id, council, target, mode, link_order, state, attempts, next_attempt_at, receipt, created_at, updated_at, refresh_state, refresh_at, refresh_delay_ms)
      SELECT printf('d-%06d', rowid), id, council, CASE WHEN rowid % 10 = 0 THEN 'quiet' ELSE 'busy' END, 'one', 0,
        CASE WHEN rowid % 10 = 5 THEN 'pending' ELSE 'delivered' END, 1, '${at}', json_object('externalRef', 'REF-' || rowid), '${at}',
        strftime('%Y-%m-%dT%H:%M:%fZ', '${at}', '+' || rowid || ' seconds'),
        CASE rowid % 3 WHEN 0 THEN 'open' WHEN 2 THEN 'done' END,
        CASE WHEN rowid % 3 = 0 THEN strftime('%Y-%m-%dT%H:%M:%fZ', '${at}', '+' || (rowid + 86400) || ' seconds') END,
        CASE WHEN rowid % 3 = 0 THEN 60000 END
      FROM transactions`);
    db.exec(`INSERT INTO status_updates (transaction_id, target, external_ref, body, received_at)
      SELECT id, 'busy', 'REF-' || rowid, json_object('externalRef', 'REF-' || rowid, 'status', 'closed', 'updatedAt', '${at}'), '${at}'
      FROM transactions WHERE rowid % 3 = 1 AND rowid % 7 = 0 AND rowid % 10 <> 0`);
  } finally {
    db.close();
  }
}

/** The same backlog in a PostgreSQL store's schema `schema`; its tables analysed. */
export async function fillRefreshBacklogPostgres(connectionString: string, schema: string, count: number): Promise<void> {
  const s = `"${schema}"`;
  const at = REFRESH_BACKLOG_AT;
  const client = new pg.Pool({ connectionString, max: 1 });
  try {
    await client.query(`INSERT INTO ${s}.transactions (id, council, type, idempotency_key, envelope, created_at)
      SELECT 'tx-' || lpad(i::text, 6, '0'), 'E07000223', 'street.report', 'key-' || i, '{}'::jsonb, '${at}' FROM generate_series(1, ${count}) i`);
    await client.query(`INSERT INTO ${s}.deliveries (id, transaction_id, council, target, mode, link_order, state, attempts, next_attempt_at, receipt, created_at, updated_at, refresh_state, refresh_at, refresh_delay_ms)
      SELECT 'd-' || lpad(i::text, 6, '0'), 'tx-' || lpad(i::text, 6, '0'), 'E07000223', CASE WHEN i % 10 = 0 THEN 'quiet' ELSE 'busy' END, 'one', 0,
        CASE WHEN i % 10 = 5 THEN 'pending' ELSE 'delivered' END, 1, '${at}', jsonb_build_object('externalRef', 'REF-' || i), '${at}',
        '${at}'::timestamptz + i * interval '1 second',
        CASE i % 3 WHEN 0 THEN 'open' WHEN 2 THEN 'done' END,
        CASE WHEN i % 3 = 0 THEN '${at}'::timestamptz + (i + 86400) * interval '1 second' END,
        CASE WHEN i % 3 = 0 THEN 60000 END
      FROM generate_series(1, ${count}) i`);
    await client.query(`INSERT INTO ${s}.status_updates (transaction_id, target, external_ref, body, received_at)
      SELECT 'tx-' || lpad(i::text, 6, '0'), 'busy', 'REF-' || i, jsonb_build_object('externalRef', 'REF-' || i, 'status', 'closed', 'updatedAt', '${at}'), '${at}'
      FROM generate_series(1, ${count}) i WHERE i % 3 = 1 AND i % 7 = 0 AND i % 10 <> 0`);
    await client.query(`ANALYZE ${s}.deliveries`);
    await client.query(`ANALYZE ${s}.status_updates`);
  } finally {
    await client.end();
  }
}
