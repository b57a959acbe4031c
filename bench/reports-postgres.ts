/**
 * bench/reports on PostgreSQL: the year of traffic seeded by SQL on the server (generate_series with
 * a fixed setseed, so a run's figures are the same each time), and the raw baseline a team would
 * write without rollups: the year's transactions joined to their deliveries' counts in one query.
 */
import pg, { type Pool } from 'pg';
import { CHANNELS, COUNCIL, monthlyKpis, SERVICES, TARGETS, YEAR_MS, YEAR_START, type MonthFigures, type RawGroup } from './reports-year';

const list = (values: readonly string[]) => `ARRAY[${values.map((v) => `'${v}'`).join(', ')}]`;

/**
 * The same mix as the SQLite seed: 7% journey starts, 3% ratings, 90% service transactions with one
 * delivery each (96% delivered 2 s to 10 min later, 3% dead, 1% still queued), payloads purged.
 */
export async function seedPostgres(connectionString: string, schema: string, rows: number): Promise<void> {
  const pool = new pg.Pool({ connectionString, max: 1 });
  const client = await pool.connect();
  const s = `"${schema}"`;
  try {
    await client.query('BEGIN');
    await client.query('SELECT setseed(0.20261207)');
    await client.query(
      `CREATE TEMP TABLE seed_rows ON COMMIT DROP AS
       SELECT i, 'bench-' || i AS id,
         to_timestamp(($1::bigint + floor(random() * $2::bigint)) / 1000.0) AS created,
         (${list(CHANNELS)})[1 + floor(random() * ${CHANNELS.length})::int] AS channel,
         (${list(SERVICES)})[1 + floor(random() * ${SERVICES.length})::int] AS service,
         random() AS kind, random() AS outcome, 2000 + floor(random() * 600000) AS lag_ms, 1 + floor(random() * 5)::int AS rating
       FROM generate_series(0, $3::int - 1) AS i`,
      [YEAR_START, YEAR_MS, rows],
    );
    await client.query(
      `INSERT INTO ${s}.transactions (id, council, type, idempotency_key, envelope, created_at, purged_at, channel, lgsl, service, rating)
       SELECT id, $1, CASE WHEN kind < 0.07 THEN 'journey.started' WHEN kind < 0.1 THEN 'feedback.satisfaction' ELSE service END,
         id, NULL, created, created, channel, NULL, service, CASE WHEN kind >= 0.07 AND kind < 0.1 THEN rating END
       FROM seed_rows`,
      [COUNCIL],
    );
    await client.query(
      `CREATE TEMP TABLE seed_deliveries ON COMMIT DROP AS
       SELECT i, id, created, created + lag_ms * interval '1 millisecond' AS finished,
         CASE WHEN outcome < 0.96 THEN 'delivered' WHEN outcome < 0.99 THEN 'dead' ELSE 'pending' END AS state
       FROM seed_rows WHERE kind >= 0.1`,
    );
    await client.query(
      `INSERT INTO ${s}.deliveries (id, transaction_id, council, target, mode, link_order, state, attempts, next_attempt_at, receipt, created_at, updated_at)
       SELECT id || '-d', id, $1, (${list(TARGETS)})[1 + i % ${TARGETS.length}], 'one', 0, state, CASE WHEN state = 'pending' THEN 0 ELSE 1 END,
         created, CASE WHEN state = 'delivered' THEN '{"externalRef":"R"}'::jsonb END, created, finished
       FROM seed_deliveries`,
      [COUNCIL],
    );
    await client.query(
      `INSERT INTO ${s}.attempts (delivery_id, attempt, started_at, finished_at, outcome)
       SELECT id || '-d', 1, to_char(created AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
         to_char(finished AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'delivered'
       FROM seed_deliveries WHERE state = 'delivered'`,
    );
    await client.query(
      `INSERT INTO ${s}.queue_depth (target, shard, pending)
       SELECT target, 0, COUNT(*) FROM ${s}.deliveries WHERE state = 'pending' GROUP BY target
       ON CONFLICT (target, shard) DO UPDATE SET pending = excluded.pending`,
    );
    await client.query('COMMIT');
    await client.query(`ANALYZE ${s}.transactions`);
    await client.query(`ANALYZE ${s}.deliveries`);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
    await pool.end();
  }
}

/**
 * The baseline: the year's monthly figures per service from the raw rows in one query (the
 * transactions' (council, created_at) index for the year, each one's deliveries counted in one pass
 * over the council's deliveries and hash-joined), then the reports' arithmetic.
 */
export async function rawMonthlyKpisPostgres(pool: Pool, schema: string): Promise<Map<string, MonthFigures>> {
  const s = `"${schema}"`;
  const result = await pool.query<RawGroup>(
    `WITH d AS (
       SELECT transaction_id,
         bool_or(state = 'delivered' AND mode <> 'shadow') AS completed,
         COUNT(*) FILTER (WHERE state = 'delivered') AS delivered,
         COUNT(*) FILTER (WHERE state = 'dead') AS dead,
         COUNT(*) FILTER (WHERE state = 'pending') AS queued
       FROM ${s}.deliveries WHERE council = $1 GROUP BY transaction_id)
     SELECT to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month, COALESCE(t.service, t.type) AS service, t.channel AS channel,
       COUNT(*) FILTER (WHERE d.completed) AS completed,
       COUNT(t.rating) AS responses,
       COALESCE(SUM(d.delivered), 0) AS delivered,
       COALESCE(SUM(d.dead), 0) AS dead,
       COALESCE(SUM(d.queued), 0) AS queued
     FROM ${s}.transactions t LEFT JOIN d ON d.transaction_id = t.id
     WHERE t.council = $1 AND t.created_at >= $2 AND t.created_at < $3
     GROUP BY 1, 2, 3`,
    [COUNCIL, new Date(YEAR_START), new Date(YEAR_START + YEAR_MS)],
  );
  return monthlyKpis(result.rows);
}
