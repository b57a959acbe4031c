import type { ReportAnswer, ReportValue } from '@lgx/runtime';
import { reportColumns } from '@lgx/gateway';

/**
 * Fields every record carries that a person reading the table does not need: the CSV keeps them, and
 * the line under the table names the council and period.
 */
const LEFT_OUT = new Set(['_id', 'end_at', 'period', 'council']);

/** A value as the table shows it: a midnight period start as its date, rates to four places, null as '-'. */
function shown(field: string, value: ReportValue | undefined): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(4)));
  if (field === '_timestamp') return value.replace(/T00:00:00(\.0+)?(Z|\+00:00)$/, '');
  return value;
}

/**
 * A report as an aligned text table, one row per record: the period start first, then the
 * dimensions and measures in the data-set's order; numbers right-aligned.
 */
export function reportTable(fields: readonly string[], answer: ReportAnswer): string {
  const columns = reportColumns(fields, answer).filter((c) => !LEFT_OUT.has(c));
  const headers = columns.map((c) => (c === '_timestamp' ? 'period_start' : c));
  const rows = answer.data.map((record) => columns.map((c) => shown(c, record[c])));
  const numeric = columns.map((c) => answer.data.length > 0 && answer.data.every((r) => typeof r[c] === 'number' || r[c] === null));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
