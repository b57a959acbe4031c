import type { SubjectExport } from './subject-requests';

type Cell = string | number | boolean | undefined | null;

/** One RFC 4180 field; a leading =, +, - or @ is quoted after a ' so a spreadsheet never runs it as a formula. */
function field(value: Cell): string {
  if (value === undefined || value === null) return '';
  let text = typeof value === 'string' ? value : String(value);
  if (/^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const table = (header: readonly string[], rows: Cell[][]): string =>
  [header, ...rows].map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';

/**
 * A subject export as CSV files, one per kind of record (file name → content): what a council can
 * hand to the requester beside the JSON. Nested values (a transaction's data, a status update) are
 * JSON text in one cell.
 */
export function subjectExportCsv(exported: SubjectExport): Record<string, string> {
  const views = exported.transactions;
  const deliveries = views.flatMap((v) => v.deliveries);
  return {
    'transactions.csv': table(
      ['id', 'type', 'state', 'createdAt', 'channel', 'data'],
      views.map((v) => [
        v.transaction.id,
        v.transaction.type,
        v.state,
        v.transaction.createdAt,
        v.transaction.envelope?.channel,
        v.transaction.envelope ? JSON.stringify(v.transaction.envelope.data) : '(removed by retention)',
      ]),
    ),
    'deliveries.csv': table(
      ['transactionId', 'deliveryId', 'target', 'state', 'attempts', 'errorClassification', 'errorMessage', 'externalRef'],
      deliveries.map((d) => [
        d.transactionId,
        d.id,
        d.target,
        d.state,
        d.attempts,
        d.lastError?.classification,
        d.lastError?.message,
        d.receipt?.externalRef,
      ]),
    ),
    'attempts.csv': table(
      ['deliveryId', 'attempt', 'startedAt', 'finishedAt', 'outcome', 'code', 'message'],
      deliveries.flatMap((d) => d.attemptLog.map((a) => [d.id, a.attempt, a.startedAt, a.finishedAt, a.outcome, a.code, a.message])),
    ),
    'status-updates.csv': table(
      ['transactionId', 'target', 'receivedAt', 'status', 'description', 'update'],
      views.flatMap((v) =>
        v.statusUpdates.map((u) => [
          v.transaction.id,
          u.target,
          u.receivedAt,
          u.update.status,
          u.update.description,
          JSON.stringify(u.update),
        ]),
      ),
    ),
    'audit.csv': table(
      ['seq', 'at', 'actor', 'action', 'transactionId', 'deliveryId', 'details'],
      exported.audit.map((a) => [
        a.seq,
        a.at,
        a.actor,
        a.action,
        a.transactionId,
        a.deliveryId,
        a.details ? JSON.stringify(a.details) : '',
      ]),
    ),
  };
}
