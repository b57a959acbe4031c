import { LgxError } from '@lgx/core';
import { periodsBetween } from './report-periods';
import {
  COLLECT_METHODS,
  DATASET_FIELDS,
  REPORT_DATASETS,
  REPORT_PERIODS,
  SUMMABLE_MEASURES,
  type ReportDataset,
  type ReportPeriod,
  type ReportQuery,
} from './report-types';

/** The most periods one report answers. */
export const MAX_REPORT_PERIODS = 1000;

/** An ISO date, or a date-time with seconds optional, fractions allowed, and a Z or ±hh:mm offset. */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/** A value shown in a message: quoted and cut short, so an error never carries a long input back. */
function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

function refuse(field: string, rule: string, message: string): never {
  throw new LgxError('LGX_ERR_REPORT_QUERY', `${field} ${message}`, { details: { field, rule } });
}

/** The one string of a query-string-like value (the last, when repeated). */
function single(input: Record<string, unknown>, field: string): string | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  if (typeof last !== 'string') refuse(field, 'type', 'must be a string');
  return last;
}

/** Every string of a repeatable value (a repeated parameter, or one value with commas between). */
function many(input: Record<string, unknown>, field: string): string[] | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  const items = Array.isArray(value) ? value : [value];
  if (items.length > 50) refuse(field, 'max_items', 'is repeated more than 50 times');
  const out: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') refuse(field, 'type', 'must be a string or a list of strings');
    out.push(
      ...item
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    );
  }
  return out;
}

/** A valid ISO date or date-time as an instant, or the error naming `field`. */
export function parseReportDate(field: string, value: string): Date {
  const match = ISO_DATE.exec(value);
  const at = match ? new Date(value.length === 10 ? `${value}T00:00:00Z` : value) : undefined;
  // Date rolls 2026-02-30 over to March: the date part must survive the round trip.
  const real =
    at &&
    !Number.isNaN(at.getTime()) &&
    new Date(Date.UTC(Number(match![1]), Number(match![2]) - 1, Number(match![3]))).toISOString().slice(0, 10) === value.slice(0, 10);
  if (!real) refuse(field, 'format', `must be an ISO date (2026-04-01) or date-time (2026-04-01T00:00:00Z), not ${shown(value)}`);
  return at!;
}

const ALL_DIMENSIONS = new Set(Object.values(DATASET_FIELDS).flatMap((f) => f.dimensions));
const ALL_MEASURES = new Set(Object.values(DATASET_FIELDS).flatMap((f) => f.measures));

/**
 * A report query from query-string-like input (strings, or lists of strings for repeated
 * parameters): period, start_at, end_at, group_by, collect, and filter_by as "field:value". Throws
 * LGX_ERR_REPORT_QUERY with details { field, rule } on bad input.
 */
export function parseReportQuery(input: Record<string, unknown>): ReportQuery {
  const period = single(input, 'period');
  const startAt = single(input, 'start_at');
  const endAt = single(input, 'end_at');
  if (period === undefined) refuse('period', 'required', `is required: one of ${REPORT_PERIODS.join(', ')}`);
  if (startAt === undefined) refuse('start_at', 'required', 'is required (an ISO date or date-time)');
  if (endAt === undefined) refuse('end_at', 'required', 'is required (an ISO date or date-time)');
  const query: ReportQuery = { period: period as ReportPeriod, start_at: startAt, end_at: endAt };
  const groupBy = many(input, 'group_by');
  if (groupBy) query.group_by = groupBy;
  const collect = many(input, 'collect');
  if (collect) query.collect = collect;
  const filters = many(input, 'filter_by');
  if (filters) {
    query.filter_by = filters.map((f): [string, string] => {
      const at = f.indexOf(':');
      if (at <= 0 || at === f.length - 1) refuse('filter_by', 'format', `must be field:value, not ${shown(f)}`);
      return [f.slice(0, at), f.slice(at + 1)];
    });
  }
  checkReportQuery(undefined, query);
  return query;
}

/**
 * Checks a query against a data-set's fields (or, without one, every data-set's): known period,
 * real dates, end after start, at most 1,000 periods, known fields. Resolves the range's instants.
 */
export function checkReportQuery(dataset: ReportDataset | undefined, query: ReportQuery): { from: Date; to: Date; periods: Date[] } {
  if (dataset !== undefined && !REPORT_DATASETS.includes(dataset))
    refuse('dataset', 'enum', `must be one of ${REPORT_DATASETS.join(', ')}, not ${shown(dataset)}`);
  if (!REPORT_PERIODS.includes(query.period))
    refuse('period', 'enum', `must be one of ${REPORT_PERIODS.join(', ')}, not ${shown(query.period)}`);
  if (typeof query.start_at !== 'string') refuse('start_at', 'required', 'is required (an ISO date or date-time)');
  if (typeof query.end_at !== 'string') refuse('end_at', 'required', 'is required (an ISO date or date-time)');
  const from = parseReportDate('start_at', query.start_at);
  const to = parseReportDate('end_at', query.end_at);
  if (to.getTime() <= from.getTime()) refuse('end_at', 'order', `must be after start_at (${query.start_at})`);
  const periods = periodsBetween(query.period, from, to, MAX_REPORT_PERIODS);
  if (periods.length > MAX_REPORT_PERIODS)
    refuse(
      'end_at',
      'max_periods',
      `is more than ${MAX_REPORT_PERIODS} ${query.period} periods after start_at: ask for a longer period or a shorter range`,
    );
  const fields = dataset ? DATASET_FIELDS[dataset] : undefined;
  const dimensions = fields ? new Set(fields.dimensions) : ALL_DIMENSIONS;
  const measures = fields ? new Set(fields.measures) : ALL_MEASURES;
  const known = (set: Set<string>) => [...set].join(', ');
  for (const f of query.group_by ?? [])
    if (!dimensions.has(f))
      refuse('group_by', 'field', `${shown(f)} is not a dimension of ${dataset ?? 'any data-set'}: use ${known(dimensions)}`);
  for (const entry of query.collect ?? []) {
    const [f, method] = entry.split(':') as [string, string | undefined];
    if (!measures.has(f))
      refuse('collect', 'field', `${shown(f)} is not a measure of ${dataset ?? 'any data-set'}: use ${known(measures)}`);
    if (method === undefined) continue;
    if (!(COLLECT_METHODS as readonly string[]).includes(method))
      refuse('collect', 'method', `${shown(entry)} has no such method: Backdrop's are ${COLLECT_METHODS.join(', ')}`);
    // LGX keeps each period's sums, not the records Backdrop counted, averaged or listed.
    if (method !== 'sum')
      refuse('collect', 'method', `${shown(entry)} is not answered: each record is already a period's sum, so use ${f}:sum or ${f}`);
    if (!SUMMABLE_MEASURES.has(f))
      refuse(
        'collect',
        'method',
        `${shown(entry)} is not answered: ${f} is a rate, a score or a median, which does not add up; collect ${f}`,
      );
  }
  for (const [f] of query.filter_by ?? [])
    if (!dimensions.has(f))
      refuse('filter_by', 'field', `${shown(f)} is not a dimension of ${dataset ?? 'any data-set'}: use ${known(dimensions)}`);
  return { from, to, periods };
}
