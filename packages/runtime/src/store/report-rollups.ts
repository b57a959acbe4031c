import type { Envelope } from '@lgx/core';
import type { AuditInput, DeliveryState, RouteMode } from './store-types';

/**
 * Reporting rollups: counts per council, UTC day of acceptance, LGSL, service, channel and back office,
 * kept beside the rows they count (in the same database transaction as the accept or delivery outcome
 * that changes them), so the figures outlive retention's purge of payloads and a crash can neither
 * lose nor double one. What each event adds is decided here, once for both stores; `rollupsOfState`
 * says what a stored transaction adds up to, which the rebuild sums and the increments must agree with.
 */

/** The transaction types that record a journey's start and a satisfaction rating (counted, not delivered). */
export const JOURNEY_STARTED_TYPE = 'journey.started';
export const FEEDBACK_TYPE = 'feedback.satisfaction';

/** The counters kept per rollup row. */
export const ROLLUP_MEASURES = [
  'received',
  'started',
  'completed',
  'rating_1',
  'rating_2',
  'rating_3',
  'rating_4',
  'rating_5',
  'queued',
  'delivered',
  'dead',
] as const;
export type RollupMeasure = (typeof ROLLUP_MEASURES)[number];

/**
 * One rollup row's key. `lgsl` 0 and `channel` '' stand for none (key columns are never NULL, so the
 * unique key holds); `target` '' is the transaction's own row, a back office's id its deliveries' row.
 */
export interface RollupKey {
  council: string;
  day: string;
  lgsl: number;
  service: string;
  channel: string;
  target: string;
}

/** What one event adds to one row: counters, and one delivery time into a histogram bucket. */
export interface RollupChange {
  key: RollupKey;
  add: Partial<Record<RollupMeasure, number>>;
  /** One delivery's submit-to-delivered time, as its bucket (see `deliverySecondsBucket`). */
  bucket?: number;
}

/** What a stored transaction is counted as: kept on its row (columns that retention never clears). */
export interface ReportSubject {
  council: string;
  /** The service it counts under: its type, or for a journey start or a rating the service it is about. */
  service: string;
  type: string;
  channel: string | null;
  lgsl: number | null;
  /** A satisfaction rating, 1 to 5. */
  rating: number | null;
  /** When it was accepted (ISO-8601 UTC): its day. */
  createdAt: string;
}

/** The report columns of a new transaction, from its envelope. */
export function reportSubjectOf(envelope: Envelope, createdAt: string): ReportSubject {
  const data = envelope.data as Record<string, unknown>;
  const counted = envelope.type === JOURNEY_STARTED_TYPE || envelope.type === FEEDBACK_TYPE;
  const service = counted && typeof data['service'] === 'string' ? data['service'] : envelope.type;
  const rating = envelope.type === FEEDBACK_TYPE && Number.isInteger(data['rating']) ? (data['rating'] as number) : null;
  return {
    council: envelope.council,
    service,
    type: envelope.type,
    channel: typeof envelope.channel === 'string' ? envelope.channel : null,
    lgsl: typeof envelope.lgsl === 'number' ? envelope.lgsl : null,
    rating,
    createdAt,
  };
}

function keyOf(subject: ReportSubject, target: string): RollupKey {
  return {
    council: subject.council,
    day: subject.createdAt.slice(0, 10),
    lgsl: subject.lgsl ?? 0,
    service: subject.service,
    channel: subject.channel ?? '',
    target,
  };
}

/** What the transaction itself counts as on acceptance: received, a journey start, or a rating. */
function ownCounts(subject: ReportSubject): Partial<Record<RollupMeasure, number>> {
  if (subject.type === JOURNEY_STARTED_TYPE) return { started: 1 };
  if (subject.type === FEEDBACK_TYPE)
    return subject.rating !== null && subject.rating >= 1 && subject.rating <= 5 ? { [`rating_${subject.rating}`]: 1 } : {};
  return { received: 1 };
}

/** A new transaction and its deliveries: its own count, and each pending delivery queued at its back office. */
export function acceptRollups(subject: ReportSubject, deliveries: ReadonlyArray<{ target: string; state: DeliveryState }>): RollupChange[] {
  const out: RollupChange[] = [{ key: keyOf(subject, ''), add: ownCounts(subject) }];
  for (const d of deliveries) if (d.state === 'pending') out.push({ key: keyOf(subject, d.target), add: { queued: 1 } });
  return out;
}

/**
 * A delivery's state changing from `from` to `to`: it leaves one counter and joins another. A delivery
 * that arrives (delivered) adds its time to the histogram, and completes its transaction when it is
 * the first of the transaction's non-shadow deliveries to arrive (`completes`).
 */
export function deliveryRollups(
  subject: ReportSubject,
  delivery: { target: string; mode: RouteMode; createdAt: string },
  from: DeliveryState,
  to: DeliveryState,
  arrival?: { finishedAt: string; completes: boolean },
): RollupChange[] {
  const add: Partial<Record<RollupMeasure, number>> = {};
  const counter = (state: DeliveryState): RollupMeasure | undefined =>
    state === 'pending' ? 'queued' : state === 'delivered' ? 'delivered' : state === 'dead' ? 'dead' : undefined;
  const left = counter(from);
  const joined = counter(to);
  if (left) add[left] = (add[left] ?? 0) - 1;
  if (joined) add[joined] = (add[joined] ?? 0) + 1;
  const out: RollupChange[] = [];
  const change: RollupChange = { key: keyOf(subject, delivery.target), add };
  if (to === 'delivered' && arrival)
    change.bucket = deliverySecondsBucket((Date.parse(arrival.finishedAt) - Date.parse(delivery.createdAt)) / 1000);
  out.push(change);
  if (to === 'delivered' && arrival?.completes && delivery.mode !== 'shadow') out.push({ key: keyOf(subject, ''), add: { completed: 1 } });
  return out;
}

/**
 * What a stored transaction adds up to now, from its deliveries' states: the sum of every change the
 * events that brought it here made. The rebuild sums these.
 */
export function rollupsOfState(
  subject: ReportSubject,
  deliveries: ReadonlyArray<{ target: string; mode: RouteMode; state: DeliveryState; createdAt: string; deliveredAt?: string }>,
): RollupChange[] {
  const out: RollupChange[] = [{ key: keyOf(subject, ''), add: ownCounts(subject) }];
  let completed = false;
  for (const d of deliveries) {
    if (d.state === 'pending') out.push({ key: keyOf(subject, d.target), add: { queued: 1 } });
    if (d.state === 'dead') out.push({ key: keyOf(subject, d.target), add: { dead: 1 } });
    if (d.state === 'delivered') {
      const change: RollupChange = { key: keyOf(subject, d.target), add: { delivered: 1 } };
      if (d.deliveredAt !== undefined) change.bucket = deliverySecondsBucket((Date.parse(d.deliveredAt) - Date.parse(d.createdAt)) / 1000);
      out.push(change);
      if (d.mode !== 'shadow') completed = true;
    }
  }
  if (completed) out.push({ key: keyOf(subject, ''), add: { completed: 1 } });
  return out;
}

/**
 * Delivery times are kept as a histogram per back office and day: bucket 0 holds times under 1 s, bucket b ≥ 1 times in
 * [2^((b-1)/4), 2^(b/4)) seconds (four buckets per doubling), the last one everything from about
 * 194 days up. A median read from the buckets is the geometric middle of its bucket: within 9.1% of
 * the true value (2^(1/8) − 1), whatever the volume, in a fixed number of rows per day.
 */
export const DELIVERY_SECONDS_BUCKETS = 98;

export function deliverySecondsBucket(seconds: number): number {
  if (!(seconds >= 1)) return 0;
  return Math.min(DELIVERY_SECONDS_BUCKETS - 1, 1 + Math.floor(Math.log2(seconds) * 4));
}

/** The value a bucket stands for: the geometric middle of its bounds (0.5 s for bucket 0). */
export function bucketSeconds(bucket: number): number {
  if (bucket <= 0) return 0.5;
  return 2 ** ((bucket - 0.5) / 4);
}

/** The median of a histogram (bucket -> count), or null when it is empty. */
export function histogramMedian(counts: ReadonlyMap<number, number>): number | null {
  let total = 0;
  for (const n of counts.values()) total += n;
  if (total <= 0) return null;
  const half = total / 2;
  let seen = 0;
  for (const bucket of [...counts.keys()].sort((a, b) => a - b)) {
    seen += counts.get(bucket)!;
    if (seen >= half) return bucketSeconds(bucket);
  }
  return null;
}

/** A row key as one string (for sums in memory and a stable write order). */
export function rollupKeyString(key: RollupKey): string {
  return [key.council, key.day, String(key.lgsl).padStart(5, '0'), key.service, key.channel, key.target].join('\u0000');
}

/** Rollup rows and histogram buckets summed in memory, in key order: what one transition or a rebuild writes. */
export interface RollupSums {
  rows: Array<{ key: RollupKey; add: Partial<Record<RollupMeasure, number>> }>;
  buckets: Array<{ key: RollupKey; bucket: number; add: number }>;
}

/** Adds changes up per row and bucket (memory grows with the rows, not with the changes). */
export class RollupAccumulator {
  private readonly rows = new Map<string, { key: RollupKey; add: Partial<Record<RollupMeasure, number>> }>();
  private readonly buckets = new Map<string, { key: RollupKey; bucket: number; add: number }>();

  add(changes: Iterable<RollupChange>): this {
    for (const change of changes) {
      const k = rollupKeyString(change.key);
      let row = this.rows.get(k);
      if (!row) this.rows.set(k, (row = { key: change.key, add: {} }));
      for (const [measure, n] of Object.entries(change.add) as Array<[RollupMeasure, number]>)
        row.add[measure] = (row.add[measure] ?? 0) + n;
      if (change.bucket !== undefined) {
        // The histogram is kept per back office and day (see the report_delivery_seconds table).
        const bk = [change.key.council, change.key.day, change.key.target, String(change.bucket).padStart(3, '0')].join('\u0000');
        const b = this.buckets.get(bk);
        if (b) b.add += 1;
        else this.buckets.set(bk, { key: change.key, bucket: change.bucket, add: 1 });
      }
    }
    return this;
  }

  /** The sums in key order (the order writers take row locks in), rows that add nothing left out. */
  sums(): RollupSums {
    const ordered = <T>(m: Map<string, T>): T[] => [...m.keys()].sort().map((k) => m.get(k)!);
    return { rows: ordered(this.rows).filter((r) => Object.values(r.add).some((n) => n !== 0)), buckets: ordered(this.buckets) };
  }
}

/** One row of the rebuild's read: a transaction's report columns with one of its deliveries (or none). */
export interface RebuildRow {
  id: string;
  subject: ReportSubject;
  target: string | null;
  mode: RouteMode | null;
  state: DeliveryState | null;
  delivery_created_at: string | null;
  delivered_at: string | null;
}

/**
 * Folds a page of rebuild rows (ordered by transaction id, a transaction's rows together) into `into`,
 * counting each council's transactions in `perCouncil`; returns how many transactions the page held.
 */
export function foldRebuildRows(rows: readonly RebuildRow[], into: RollupAccumulator, perCouncil?: Map<string, number>): number {
  let count = 0;
  for (let i = 0; i < rows.length;) {
    const first = rows[i]!;
    const deliveries: Parameters<typeof rollupsOfState>[1][number][] = [];
    for (; i < rows.length && rows[i]!.id === first.id; i++) {
      const row = rows[i]!;
      if (row.target === null || row.mode === null || row.state === null || row.delivery_created_at === null) continue;
      deliveries.push({
        target: row.target,
        mode: row.mode,
        state: row.state,
        createdAt: row.delivery_created_at,
        ...(row.delivered_at !== null ? { deliveredAt: row.delivered_at } : {}),
      });
    }
    into.add(rollupsOfState(first.subject, deliveries));
    perCouncil?.set(first.subject.council, (perCouncil.get(first.subject.council) ?? 0) + 1);
    count += 1;
  }
  return count;
}

/** The rebuild's audit entries: one per council whose transactions it read, in council order. */
export function rebuildAudit(perCouncil: ReadonlyMap<string, number>, actor: string): AuditInput[] {
  return [...perCouncil.keys()]
    .sort()
    .map((council) => ({ council, actor, action: 'report.rebuilt', details: { transactions: perCouncil.get(council) } }));
}
