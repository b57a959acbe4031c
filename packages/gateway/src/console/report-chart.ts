import type { ReportAnswer } from '@lgx/runtime';

/** One bar of a chart: its label and value (null: the measure cannot be computed for it). */
export interface ChartBar {
  label: string;
  value: number | null;
  /** Bar length as a share of the chart's width, 0 to 1. */
  share: number;
  y: number;
}

export interface Chart {
  bars: ChartBar[];
  max: number;
  height: number;
}

const BAR_HEIGHT = 22;
const GAP = 8;
/** The most bars drawn; the data table below a chart always has every record. */
export const MAX_BARS = 200;

/**
 * The period a record covers, as its label begins: a day, a month for longer periods, and for a
 * rolling year the month it ends with (consecutive years overlap, so their starts would mislead).
 */
function periodLabel(record: Record<string, unknown>): string {
  const start = String(record._timestamp ?? '').slice(0, 10);
  if (record.period === 'year') return `12 months to ${new Date(Date.parse(String(record.end_at)) - 86_400_000).toISOString().slice(0, 7)}`;
  return record.period === 'day' || record.period === 'week' ? start : start.slice(0, 7);
}

/** A horizontal bar chart of one measure: one bar per record, labelled by period and group. */
export function barChart(answer: ReportAnswer, measure: string, groupBy: readonly string[]): Chart {
  const records = answer.data.slice(0, MAX_BARS);
  const values = records.map((r) => (typeof r[measure] === 'number' ? (r[measure] as number) : null));
  const max = Math.max(0, ...values.map((v) => v ?? 0));
  const bars = records.map((record, i) => ({
    label: [periodLabel(record), ...groupBy.map((field) => String(record[field] ?? '–'))].join(' · '),
    value: values[i]!,
    share: max > 0 && values[i] !== null ? values[i]! / max : 0,
    y: i * (BAR_HEIGHT + GAP),
  }));
  return { bars, max, height: Math.max(1, bars.length) * (BAR_HEIGHT + GAP) };
}
