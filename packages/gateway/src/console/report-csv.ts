import type { ReportAnswer, ReportValue } from '@lgx/runtime';

/** One CSV cell: quoted when it must be, and a text starting like a formula made plain text. */
function cell(value: ReportValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A report as CSV (RFC 4180, CRLF), its columns in `fields` order, those no record has left out. */
export function reportCsv(answer: ReportAnswer, fields: readonly string[]): string {
  const columns = fields.filter((field) => answer.data.some((record) => field in record));
  const lines = [columns.join(','), ...answer.data.map((record) => columns.map((field) => cell(record[field])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
