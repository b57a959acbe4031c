import { ROLLUP_MEASURES, type RebuildRow, type ReportSubject, type RollupKey, type RollupMeasure } from './report-rollups';
import type { RowNormaliser } from './store-rows';
import type { DeliveryTotals } from './store-types';

const KEY_COLUMNS = ['council', 'day', 'lgsl', 'service', 'channel', 'target', 'shard'] as const;

/** The dimensions a report may group or filter the rollups by (columns of both rollup tables). */
export type RollupDimension = 'lgsl' | 'service' | 'channel' | 'target';

/** Which rollups a report reads: one council's days in [fromDay, toDay), summed per day and the dimensions in `groupBy`. */
export interface RollupQuery {
  council: string;
  /** 'YYYY-MM-DD', inclusive. */
  fromDay: string;
  /** 'YYYY-MM-DD', exclusive. */
  toDay: string;
  groupBy: readonly RollupDimension[];
  /** Only rows whose dimension holds one of the values. */
  filters: ReadonlyArray<{ dimension: RollupDimension; values: readonly (string | number)[] }>;
  /** Transaction rows only (target ''), delivery rows only, or both. */
  rows: 'transaction' | 'delivery' | 'all';
  /**
   * Sum days into periods in the query, each row's `day` then the first day of its period: calendar
   * months, or the periods starting on these days (sorted; days before the first are left out).
   * Without it, one row per day.
   */
  periods?: 'month' | readonly string[];
}

/** A day's sums for one group. */
export type RollupDayRow = { day: string } & Partial<Record<RollupDimension, string | number>> & Record<RollupMeasure, number>;
/** A day's histogram bucket for one group. */
export type RollupBucketRow = { day: string; bucket: number; count: number } & Partial<Record<RollupDimension, string | number>>;

/**
 * The rollups' SQL for one dialect: `t(name)` qualifies a table, `p(i)` is the i-th placeholder (from 1).
 * The upserts add to the counters of an existing row (the table alias `r` is the row as it was).
 */
export function rollupSql(t: (name: string) => string, p: (i: number) => string) {
  const rowColumns = [...KEY_COLUMNS, ...ROLLUP_MEASURES];
  const bucketColumns = ['council', 'day', 'target', 'shard', 'bucket', 'count'];
  const list = (n: number, from = 1): string => Array.from({ length: n }, (_, i) => p(i + from)).join(', ');
  const where = (q: RollupQuery, params: unknown[]): string => {
    params.push(q.council, q.fromDay, q.toDay);
    const at = params.length;
    const parts = [`council = ${p(at - 2)}`, `day >= ${p(at - 1)}`, `day < ${p(at)}`];
    if (q.rows === 'transaction') parts.push(`target = ''`);
    if (q.rows === 'delivery') parts.push(`target <> ''`);
    for (const f of q.filters) {
      const marks = f.values.map((v) => {
        params.push(v);
        return p(params.length);
      });
      parts.push(marks.length === 0 ? '1 = 0' : `${f.dimension} IN (${marks.join(', ')})`);
    }
    return parts.join(' AND ');
  };
  /** The expression a row's day is summed under (its period's first day), and the statement's params so far. */
  const dayKey = (q: RollupQuery, params: unknown[]): string => {
    if (q.periods === undefined) return 'day';
    if (q.periods === 'month') return `substr(day, 1, 7) || '-01'`;
    const starts = [...q.periods].reverse().map((start) => {
      params.push(start, start);
      return `WHEN day >= ${p(params.length - 1)} THEN CAST(${p(params.length)} AS TEXT)`;
    });
    return `CASE ${starts.join(' ')} END`;
  };
  const values = (columns: number, count: number, from: number): string =>
    Array.from({ length: count }, (_, row) => `(${list(columns, from + row * columns)})`).join(', ');
  /** `from` numbers the first placeholder, for a statement that has others before these rows'. */
  function upsertRows(count: number, from = 1): string {
    return `INSERT INTO ${t('report_days')} AS r (${rowColumns.join(', ')}) VALUES ${values(rowColumns.length, count, from)}
      ON CONFLICT (${KEY_COLUMNS.join(', ')}) DO UPDATE SET ${ROLLUP_MEASURES.map((m) => `${m} = r.${m} + excluded.${m}`).join(', ')}`;
  }
  function upsertBuckets(count: number): string {
    return `INSERT INTO ${t('report_delivery_seconds')} AS r (${bucketColumns.join(', ')}) VALUES ${values(bucketColumns.length, count, 1)}
      ON CONFLICT (council, day, target, shard, bucket) DO UPDATE SET count = r.count + excluded.count`;
  }
  return {
    upsertRow: upsertRows(1),
    upsertBucket: upsertBuckets(1),
    /** One statement adding to `count` rows (distinct keys, in key order: rows are locked in that order). */
    upsertRows,
    upsertBuckets,
    rowValues: (key: RollupKey, add: Partial<Record<RollupMeasure, number>>, shard: number): unknown[] => [
      key.council,
      key.day,
      key.lgsl,
      key.service,
      key.channel,
      key.target,
      shard,
      ...ROLLUP_MEASURES.map((m) => add[m] ?? 0),
    ],
    bucketValues: (key: Pick<RollupKey, 'council' | 'day' | 'target'>, bucket: number, add: number, shard: number): unknown[] => [
      key.council,
      key.day,
      key.target,
      shard,
      bucket,
      add,
    ],
    clear: [`DELETE FROM ${t('report_days')}`, `DELETE FROM ${t('report_delivery_seconds')}`],
    /**
     * A page of the rebuild's read: up to `limit` transactions with ids after `after`, each with its
     * deliveries and, for a delivered one, when its delivering attempt finished.
     */
    rebuildPage: `WITH page AS (SELECT id, council, type, COALESCE(service, type) AS service, channel, lgsl, rating, created_at FROM ${t('transactions')} WHERE id > ${p(1)} ORDER BY id LIMIT ${p(2)})
      SELECT page.*, d.target, d.mode, d.state, d.created_at AS delivery_created_at,
        (SELECT a.finished_at FROM ${t('attempts')} a WHERE a.delivery_id = d.id AND a.outcome = 'delivered' ORDER BY a.id DESC LIMIT 1) AS delivered_at
      FROM page LEFT JOIN ${t('deliveries')} d ON d.transaction_id = page.id ORDER BY page.id, d.link_order, d.id`,
    readRows(q: RollupQuery): { sql: string; params: unknown[] } {
      const params: unknown[] = [];
      const groups = [`${dayKey(q, params)} AS day`, ...q.groupBy];
      const sql = `SELECT ${groups.join(', ')}, ${ROLLUP_MEASURES.map((m) => `SUM(${m}) AS ${m}`).join(', ')} FROM ${t('report_days')}
        WHERE ${where(q, params)} GROUP BY ${groups.map((_, i) => i + 1).join(', ')}`;
      return { sql, params };
    },
    /** The histogram is kept per back office only: a query grouping or filtering by anything else is refused. */
    readBuckets(q: RollupQuery): { sql: string; params: unknown[] } {
      if (q.groupBy.some((d) => d !== 'target') || q.filters.some((f) => f.dimension !== 'target'))
        throw new TypeError('delivery times are kept per back office only');
      const params: unknown[] = [];
      const groups = [`${dayKey(q, params)} AS day`, ...q.groupBy, 'bucket'];
      const sql = `SELECT ${groups.join(', ')}, SUM(count) AS count FROM ${t('report_delivery_seconds')} WHERE ${where(q, params)} GROUP BY ${groups.map((_, i) => i + 1).join(', ')}`;
      return { sql, params };
    },
    /** A transaction's report columns (`subjectOf` maps the row). */
    subject: `SELECT council, type, COALESCE(service, type) AS service, channel, lgsl, rating, created_at FROM ${t('transactions')} WHERE id = ${p(1)}`,
    /** Whether another non-shadow delivery of the transaction (`p(1)`) than `p(2)` has arrived. */
    completedBefore: `SELECT 1 AS hit FROM ${t('deliveries')} WHERE transaction_id = ${p(1)} AND id <> ${p(2)} AND state = 'delivered' AND mode <> 'shadow' LIMIT 1`,
    /** A council's (`p(1)`) delivered, dead and queued deliveries per back office, since the rollups began. */
    deliveryTotals: `SELECT target, SUM(delivered) AS delivered, SUM(dead) AS dead, SUM(queued) AS queued FROM ${t('report_days')} WHERE council = ${p(1)} AND target <> '' GROUP BY target ORDER BY target`,
  };
}

/** A rebuild row as the driver gives it, with times as ISO text. */
export function rebuildRow(raw: Record<string, unknown>, n: RowNormaliser): RebuildRow {
  const time = (v: unknown): string | null => (v === null || v === undefined ? null : n.time(v as string | Date));
  return {
    id: raw['id'] as string,
    subject: subjectOf(raw, n),
    target: (raw['target'] as string | null) ?? null,
    mode: (raw['mode'] as RebuildRow['mode']) ?? null,
    state: (raw['state'] as RebuildRow['state']) ?? null,
    delivery_created_at: time(raw['delivery_created_at']),
    delivered_at: (raw['delivered_at'] as string | null) ?? null,
  };
}

/** A transaction's report columns, from the `subject` query's row. */
export function subjectOf(raw: Record<string, unknown>, n: RowNormaliser): ReportSubject {
  return {
    council: raw['council'] as string,
    type: raw['type'] as string,
    service: raw['service'] as string,
    channel: (raw['channel'] as string | null) ?? null,
    lgsl: raw['lgsl'] === null || raw['lgsl'] === undefined ? null : Number(raw['lgsl']),
    rating: raw['rating'] === null || raw['rating'] === undefined ? null : Number(raw['rating']),
    createdAt: n.time(raw['created_at'] as string | Date),
  };
}

/** A rollup read's row with its sums as numbers (PostgreSQL gives BIGINT sums as text). */
export function numericRow<T extends Record<string, unknown>>(raw: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw))
    out[k] = k === 'day' || k === 'service' || k === 'channel' || k === 'target' ? v : v === null ? null : Number(v);
  return out as T;
}

/** The `deliveryTotals` query's rows by back office. */
export function deliveryTotalsOf(raw: ReadonlyArray<Record<string, unknown>>): DeliveryTotals {
  const out: DeliveryTotals = {};
  for (const row of raw)
    out[row['target'] as string] = { delivered: Number(row['delivered']), dead: Number(row['dead']), queued: Number(row['queued']) };
  return out;
}
