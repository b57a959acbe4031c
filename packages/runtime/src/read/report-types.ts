/** The transactions reports' data-sets, in the GOV.UK Performance Platform's record shape. */
export type ReportDataset = 'transactions-by-channel' | 'service-kpis';
export type ReportPeriod = 'day' | 'week' | 'month' | 'quarter' | 'year' | 'financial_year';

/** A report query, in the shape of Backdrop's read API. */
export interface ReportQuery {
  period: ReportPeriod;
  /** ISO date or date-time, inclusive; aligned down to the period's start. */
  start_at: string;
  /** ISO date or date-time, exclusive; the last period is the one it falls in (or ends at). */
  end_at: string;
  /** Dimension fields of the data-set (e.g. ['channel'], ['service', 'channel']). */
  group_by?: string[];
  /** Each field:value must hold (the same field twice: either value). */
  filter_by?: Array<[field: string, value: string]>;
  /**
   * Measure fields to return (default: all of the data-set's measures); `<measure>:sum` returns it
   * keyed as Backdrop keys a collected sum.
   */
  collect?: string[];
}

export type ReportValue = string | number | null;

/**
 * Backdrop's read shape: snake_case records, each with `_id`, `_timestamp` (period start), `end_at`,
 * `period`, `council`, the group_by dimensions and the measures. Every period in the range is there
 * (for each group seen in it): counts 0, null where a measure cannot be computed.
 */
export interface ReportAnswer {
  data: Array<Record<string, ReportValue>>;
}

export const REPORT_DATASETS: readonly ReportDataset[] = ['transactions-by-channel', 'service-kpis'];
export const REPORT_PERIODS: readonly ReportPeriod[] = ['day', 'week', 'month', 'quarter', 'year', 'financial_year'];

/** Fields every record starts with. */
const RECORD_FIELDS = ['_id', '_timestamp', 'end_at', 'period'] as const;

interface DatasetFields {
  /** Dimensions a query may group and filter by, in column order (council is always in a record). */
  dimensions: readonly string[];
  measures: readonly string[];
}

/**
 * Each data-set's dimensions and measures, in the column order of the LGX report schema (the
 * Transactions Explorer's and the Performance Platform's field names). service-kpis adds channel,
 * channel_type and back_office as optional dimensions and LGX's delivery measures at the end.
 */
export const DATASET_FIELDS: Readonly<Record<ReportDataset, DatasetFields>> = {
  'transactions-by-channel': {
    dimensions: ['council', 'lgsl', 'service', 'channel', 'channel_type'],
    measures: ['count'],
  },
  'service-kpis': {
    dimensions: ['council', 'lgsl', 'service', 'channel', 'channel_type', 'back_office'],
    measures: [
      'number_of_transactions',
      'number_of_digital_transactions',
      'number_of_api_transactions',
      'digital_takeup',
      'total_cost',
      'cost_per_transaction',
      'digital_cost_per_transaction',
      'completion_rate',
      'user_satisfaction_score',
      'num_responses',
      'delivered',
      'dead',
      'queued',
      'delivery_success_rate',
      'median_delivery_seconds',
      'data_coverage',
    ],
  },
};

/**
 * Measures that add up over records, so Backdrop's `collect=<measure>:sum` has a meaning: counts and
 * money. Rates, scores and medians do not add up.
 */
export const SUMMABLE_MEASURES: ReadonlySet<string> = new Set([
  'count',
  'number_of_transactions',
  'number_of_digital_transactions',
  'number_of_api_transactions',
  'total_cost',
  'num_responses',
  'delivered',
  'dead',
  'queued',
]);

/** Backdrop's collect methods (`field:method`). */
export const COLLECT_METHODS = ['sum', 'count', 'mean', 'set'] as const;

/** A data-set's fields in CSV column order. */
export function reportFields(dataset: ReportDataset): readonly string[] {
  const { dimensions, measures } = DATASET_FIELDS[dataset];
  return [...RECORD_FIELDS, ...dimensions, ...measures];
}
