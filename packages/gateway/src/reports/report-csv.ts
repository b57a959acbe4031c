import type { ReportAnswer, ReportValue } from '@lgx/runtime';

/** A cell as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break; null is empty. */
function cell(value: ReportValue | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The columns of a report: the data-set's fields in their published order, those its records carry
 * (a grouped or collected query leaves some out), then any other field the records hold, so nothing
 * in the answer is dropped. With no records, every field of the data-set.
 */
export function reportColumns(fields: readonly string[], answer: ReportAnswer): string[] {
  if (answer.data.length === 0) return [...fields];
  const present = new Set<string>();
  for (const record of answer.data) for (const key of Object.keys(record)) present.add(key);
  const listed = new Set(fields);
  return [...fields.filter((f) => present.has(f)), ...[...present].filter((f) => !listed.has(f))];
}

/**
 * A report as CSV (RFC 4180: CRLF line ends, a header row), the columns as `reportColumns` orders
 * them; an empty cell stands for null, as in GDS's published files.
 */
export function reportCsv(fields: readonly string[], answer: ReportAnswer): string {
  const columns = reportColumns(fields, answer);
  const lines = [columns.map((c) => cell(c)).join(',')];
  for (const record of answer.data) lines.push(columns.map((c) => cell(record[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
