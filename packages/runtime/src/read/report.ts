import type { ReportingConfig } from '../stack/stack-types';
import { histogramMedian } from '../store/report-rollups';
import type { RollupDimension, RollupQuery } from '../store/rollup-sql';
import type { Store } from '../store/store-types';
import { countsAsDigital, reportChannel, storedChannels } from './report-channels';
import { backdropTime, dayOf, nextPeriod, periodStart, yearWindowStart } from './report-periods';
import { checkReportQuery } from './report-query';
import { DATASET_FIELDS, type ReportAnswer, type ReportDataset, type ReportQuery, type ReportValue } from './report-types';

/** Unit costs in GBP per service (or '*') and channel, from the stack file's `reporting.unitCosts`. */
export type UnitCosts = NonNullable<ReportingConfig['unitCosts']>;

export interface ReportSource {
  store: Store;
  council: string;
  unitCosts?: UnitCosts;
}

/** One period's sums for one group. */
interface Cell {
  received: number;
  /** Completed transactions per service and stored channel ("service\0channel"). */
  completed: Map<string, number>;
  started: Map<string, number>;
  completedByChannel: Map<string, number>;
  ratings: [number, number, number, number, number];
  delivered: number;
  dead: number;
  queued: number;
  seconds: Map<number, number>;
}

const emptyCell = (): Cell => ({
  received: 0,
  completed: new Map(),
  started: new Map(),
  completedByChannel: new Map(),
  ratings: [0, 0, 0, 0, 0],
  delivered: 0,
  dead: 0,
  queued: 0,
  seconds: new Map(),
});

const bump = (m: Map<string | number, number>, k: string | number, n: number): void => {
  if (n !== 0) m.set(k, (m.get(k) ?? 0) + n);
};

/** The sums of several cells: a rolling year's four quarters. */
function sumCells(parts: readonly Cell[]): Cell {
  const out = emptyCell();
  for (const c of parts) {
    out.received += c.received;
    out.delivered += c.delivered;
    out.dead += c.dead;
    out.queued += c.queued;
    for (const [k, n] of c.completed) bump(out.completed, k, n);
    for (const [k, n] of c.started) bump(out.started, k, n);
    for (const [k, n] of c.completedByChannel) bump(out.completedByChannel, k, n);
    for (const [k, n] of c.seconds) bump(out.seconds, k, n);
    out.ratings = out.ratings.map((r, i) => r + c.ratings[i]!) as Cell['ratings'];
  }
  return out;
}

const round = (x: number, places: number): number => Math.round(x * 10 ** places) / 10 ** places;
const ratio = (a: number, b: number, places = 4): number | null => (b > 0 ? round(a / b, places) : null);

/** Url-safe base64 of the `.`-joined values, as Backdrop's auto ids: re-publishing a record overwrites it. */
function recordId(values: readonly ReportValue[]): string {
  return Buffer.from(values.map((v) => (v === null ? '' : String(v))).join('.')).toString('base64url');
}

/** The rollup filters a query's filter_by stands for; undefined when it can match nothing of this council. */
function rollupFilters(council: string, filters: ReportQuery['filter_by']): RollupQuery['filters'] | undefined {
  const byField = new Map<string, string[]>();
  for (const [field, value] of filters ?? []) byField.set(field, [...(byField.get(field) ?? []), value]);
  const out: Array<{ dimension: RollupDimension; values: Array<string | number> }> = [];
  for (const [field, values] of byField) {
    if (field === 'council') {
      if (!values.includes(council)) return undefined;
    } else if (field === 'lgsl') out.push({ dimension: 'lgsl', values: values.flatMap((v) => (/^\d{1,5}$/.test(v) ? [Number(v)] : [])) });
    else if (field === 'service') out.push({ dimension: 'service', values });
    else if (field === 'channel' || field === 'channel_type')
      out.push({ dimension: 'channel', values: values.flatMap((v) => storedChannels(field, v)) });
    else if (field === 'back_office') out.push({ dimension: 'target', values });
  }
  return out;
}

/** A rollup row's value of a report dimension. */
function dimensionValue(field: string, row: Partial<Record<RollupDimension, string | number>>): ReportValue {
  switch (field) {
    case 'lgsl':
      return row.lgsl === 0 || row.lgsl === undefined ? null : Number(row.lgsl);
    case 'service':
      return (row.service as string | undefined) ?? null;
    case 'channel':
      return reportChannel(String(row.channel ?? '')).channel;
    case 'channel_type':
      return reportChannel(String(row.channel ?? '')).type;
    case 'back_office':
      return (row.target as string | undefined) ?? null;
    default:
      return null;
  }
}

/** The most groups a query's filters name (their values multiplied); past it they are not zero-filled. */
const MAX_PINNED_GROUPS = 1000;

/**
 * The groups a query names by filtering each dimension it groups by (`group_by=channel` with
 * `filter_by=channel:digital&filter_by=channel:api`: digital and api), so they are in the answer,
 * zero-filled, even where the range holds none of them. None unless every grouped dimension is filtered.
 */
function pinnedGroups(groupBy: readonly string[], filters: ReportQuery['filter_by']): Array<Record<string, ReportValue>> {
  let out: Array<Record<string, ReportValue>> = [{}];
  for (const d of groupBy) {
    const values = [...new Set((filters ?? []).filter(([field]) => field === d).map(([, v]) => v))];
    if (values.length === 0) return [];
    const typed = d === 'lgsl' ? values.flatMap((v) => (/^\d{1,5}$/.test(v) ? [Number(v)] : [])) : values;
    out = out.flatMap((group) => typed.map((v) => ({ ...group, [d]: v })));
    if (out.length > MAX_PINNED_GROUPS) return [];
  }
  return out;
}

/** The cost of a period's completed transactions, or null when a channel that completed some has no unit cost. */
function costOf(cell: Cell, costs: UnitCosts | undefined, only?: (channel: string) => boolean): number | null {
  if (costs === undefined) return null;
  let total = 0;
  for (const [key, n] of cell.completed) {
    const [service, channel] = key.split('\u0000') as [string, string];
    if (only && !only(channel)) continue;
    const unit =
      (costs[service] as Record<string, number | undefined> | undefined)?.[channel] ??
      (costs['*'] as Record<string, number | undefined> | undefined)?.[channel];
    if (unit === undefined) return null;
    total += n * unit;
  }
  return total;
}

/** The service-kpis measures of one cell; transaction measures are null for a back office's row. */
function kpis(cell: Cell, costs: UnitCosts | undefined, perBackOffice: boolean): Record<string, ReportValue> {
  const sum = (m: Map<string, number>, keep: (k: string) => boolean = () => true): number =>
    [...m].reduce((acc, [k, n]) => (keep(k) ? acc + n : acc), 0);
  const channelOf = (key: string): string => key.split('\u0000')[1] ?? '';
  const transactions = sum(cell.completed);
  const digital = sum(cell.completed, (k) => countsAsDigital(channelOf(k)));
  // Published apart, as the reference asks: the Performance Platform's take-up left `api` out.
  const api = sum(cell.completed, (k) => reportChannel(channelOf(k)).channel === 'api');
  const total = costOf(cell, costs);
  const digitalCost = costOf(cell, costs, countsAsDigital);
  // Completion counts only channels that send journey starts: elsewhere there is nothing to divide by.
  const startedChannels = [...cell.started].filter(([, n]) => n > 0).map(([c]) => c);
  const started = startedChannels.reduce((acc, c) => acc + (cell.started.get(c) ?? 0), 0);
  const completedWithStarts = startedChannels.reduce((acc, c) => acc + (cell.completedByChannel.get(c) ?? 0), 0);
  const responses = cell.ratings.reduce((a, b) => a + b, 0);
  const mean = responses > 0 ? cell.ratings.reduce((acc, n, i) => acc + (i + 1) * n, 0) / responses : null;
  const median = histogramMedian(cell.seconds);
  const delivery = {
    delivered: cell.delivered,
    dead: cell.dead,
    queued: cell.queued,
    delivery_success_rate: ratio(cell.delivered, cell.delivered + cell.dead),
    median_delivery_seconds: median === null ? null : round(median, 1),
  };
  if (perBackOffice) {
    return {
      number_of_transactions: null,
      number_of_digital_transactions: null,
      number_of_api_transactions: null,
      digital_takeup: null,
      total_cost: null,
      cost_per_transaction: null,
      digital_cost_per_transaction: null,
      completion_rate: null,
      user_satisfaction_score: null,
      num_responses: null,
      ...delivery,
      data_coverage: null,
    };
  }
  return {
    number_of_transactions: transactions,
    number_of_digital_transactions: digital,
    number_of_api_transactions: api,
    digital_takeup: ratio(digital, transactions),
    total_cost: total === null ? null : round(total, 2),
    cost_per_transaction: total === null ? null : ratio(total, transactions),
    digital_cost_per_transaction: digitalCost === null ? null : ratio(digitalCost, digital),
    completion_rate: ratio(completedWithStarts, started),
    user_satisfaction_score: mean === null ? null : round((mean - 1) / 4, 4),
    num_responses: responses,
    ...delivery,
    // The Transactions Explorer's: figures provided ÷ requested over volume, digital volume and cost
    // per transaction. LGX always has both volumes; the cost only with unit costs for every channel used.
    data_coverage: round((2 + (total === null ? 0 : 1)) / 3, 4),
  };
}

/**
 * A data-set for one council from the reporting rollups: the rows of the range's days summed per day
 * and dimension in the store, then folded into periods and groups here (a year of days is a few
 * thousand rows however many transactions they count).
 */
export async function computeReport(source: ReportSource, dataset: ReportDataset, query: ReportQuery): Promise<ReportAnswer> {
  const { periods } = checkReportQuery(dataset, query);
  // A rolling year is summed from quarters: its own last quarter and the three before it.
  const rolling = query.period === 'year';
  const bucketPeriod = rolling ? 'quarter' : query.period;
  const bucketStarts: Date[] = rolling
    ? [...[9, 6, 3].map((back) => new Date(Date.UTC(periods[0]!.getUTCFullYear(), periods[0]!.getUTCMonth() - back, 1))), ...periods]
    : periods;
  const fields = DATASET_FIELDS[dataset];
  const groupBy = fields.dimensions.filter((d) => d !== 'council' && (query.group_by ?? []).includes(d));
  const collect = fields.measures.filter((m) => query.collect === undefined || query.collect.includes(m));
  // Backdrop's collected sums, keyed as it keys them ("count:sum"): a record is already its period's sum.
  const summed = fields.measures.filter((m) => query.collect?.includes(`${m}:sum`));
  const isKpis = dataset === 'service-kpis';
  const perBackOffice = groupBy.includes('back_office');

  const sqlGroups = new Set<RollupDimension>();
  if (groupBy.includes('lgsl')) sqlGroups.add('lgsl');
  if (groupBy.includes('service') || isKpis) sqlGroups.add('service');
  if (groupBy.includes('channel') || groupBy.includes('channel_type') || isKpis) sqlGroups.add('channel');
  if (perBackOffice) sqlGroups.add('target');

  const first = bucketStarts[0]!;
  const end = nextPeriod(bucketPeriod, bucketStarts[bucketStarts.length - 1]!);
  const filters = rollupFilters(source.council, query.filter_by);
  const rollupQuery: RollupQuery = {
    council: source.council,
    fromDay: dayOf(first),
    toDay: dayOf(end),
    groupBy: [...sqlGroups],
    filters: filters ?? [],
    rows: !isKpis ? 'transaction' : perBackOffice ? 'delivery' : 'all',
    // Days are summed into periods by the store: a year of days is one row per month and group.
    ...(bucketPeriod === 'day' ? {} : { periods: bucketPeriod === 'month' ? ('month' as const) : bucketStarts.map(dayOf) }),
  };
  // Delivery times are kept per back office and day only: the median is given overall or per back
  // office, and is null for a query that groups or filters by anything else.
  const perBackOfficeOnly = groupBy.every((d) => d === 'back_office') && rollupQuery.filters.every((f) => f.dimension === 'target');
  const wantSeconds = isKpis && collect.includes('median_delivery_seconds') && perBackOfficeOnly;
  const secondsQuery: RollupQuery = { ...rollupQuery, groupBy: perBackOffice ? ['target'] : [] };
  const [rows, buckets] =
    filters === undefined
      ? [[], []]
      : await Promise.all([
          source.store.readRollups(rollupQuery),
          wantSeconds ? source.store.readDeliverySeconds(secondsQuery) : Promise.resolve([]),
        ]);

  const periodIndex = new Map(bucketStarts.map((p, i) => [p.getTime(), i]));
  const groups = new Map<string, Record<string, ReportValue>>();
  const cells = new Map<string, Cell>();
  const indexOfDay = new Map<string, number | undefined>();
  const cellOf = (day: string, row: Partial<Record<RollupDimension, string | number>>): Cell | undefined => {
    if (!indexOfDay.has(day)) indexOfDay.set(day, periodIndex.get(periodStart(bucketPeriod, new Date(`${day}T00:00:00Z`)).getTime()));
    const index = indexOfDay.get(day);
    if (index === undefined) return undefined;
    const values = Object.fromEntries(groupBy.map((d) => [d, dimensionValue(d, row)]));
    const key = JSON.stringify(groupBy.map((d) => values[d]));
    if (!groups.has(key)) groups.set(key, values);
    const cellKey = `${index}\u0000${key}`;
    let cell = cells.get(cellKey);
    if (!cell) cells.set(cellKey, (cell = emptyCell()));
    return cell;
  };
  for (const row of rows) {
    const cell = cellOf(row.day, row);
    if (!cell) continue;
    const channel = String(row.channel ?? '');
    cell.received += row.received;
    bump(cell.completed, `${String(row.service ?? '')}\u0000${channel}`, row.completed);
    bump(cell.started, channel, row.started);
    bump(cell.completedByChannel, channel, row.completed);
    cell.ratings = [
      cell.ratings[0] + row.rating_1,
      cell.ratings[1] + row.rating_2,
      cell.ratings[2] + row.rating_3,
      cell.ratings[3] + row.rating_4,
      cell.ratings[4] + row.rating_5,
    ];
    cell.delivered += row.delivered;
    cell.dead += row.dead;
    cell.queued += row.queued;
  }
  for (const row of buckets) {
    const cell = cellOf(row.day, row);
    if (cell) bump(cell.seconds, row.bucket, row.count);
  }
  if (groupBy.length === 0 && groups.size === 0) groups.set('[]', {});
  if (groupBy.length > 0 && filters !== undefined)
    for (const values of pinnedGroups(groupBy, query.filter_by)) {
      const key = JSON.stringify(groupBy.map((d) => values[d]));
      if (!groups.has(key)) groups.set(key, values);
    }

  const data: ReportAnswer['data'] = [];
  const groupKeys = [...groups.keys()].sort();
  const cellAt = (index: number, key: string): Cell => cells.get(`${index}\u0000${key}`) ?? emptyCell();
  const offset = bucketStarts.length - periods.length;
  periods.forEach((start, i) => {
    const index = i + offset;
    // A rolling year's record starts where its 12 months do and ends with its last quarter.
    const timestamp = backdropTime(rolling ? yearWindowStart(start) : start);
    for (const key of groupKeys) {
      const dims = groups.get(key)!;
      const cell = rolling ? sumCells([0, 1, 2, 3].map((back) => cellAt(index - back, key))) : cellAt(index, key);
      const measures: Record<string, ReportValue> = isKpis ? kpis(cell, source.unitCosts, perBackOffice) : { count: cell.received };
      const record: Record<string, ReportValue> = {
        _id: recordId([timestamp, query.period, source.council, ...groupBy.map((d) => dims[d] ?? null)]),
        _timestamp: timestamp,
        end_at: backdropTime(nextPeriod(bucketPeriod, start)),
        period: query.period,
        council: source.council,
      };
      for (const d of groupBy) record[d] = dims[d] ?? null;
      for (const m of collect) record[m] = measures[m] ?? null;
      for (const m of summed) record[`${m}:sum`] = measures[m] ?? null;
      data.push(record);
    }
  });
  return { data };
}
