import { PermanentError, validateAgainst, validateData, type CaseStatus, type Logger, type Receipt, type StatusUpdate, type ValidationIssue } from '@lgx/core';
import type { CaseStatusName } from './config';

const RECEIPT_SCHEMA = 'https://schemas.lgx.dev/receipt/v1.json';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function invalid(what: string, path: string, issues: readonly ValidationIssue[]): PermanentError {
  // Paths and rules only: the values are the vendor's data and may be personal.
  const list = issues.slice(0, 5).map((i) => `${i.path || '/'} ${i.message}`).join('; ');
  return new PermanentError(`the mapping at ${path} gave ${what} that is not valid: ${list}`, { details: { mapping: path, issues: issues.map((i) => ({ path: i.path, rule: i.rule })) } });
}

/** Turns vendor status codes into canonical statuses through the council's `statusMap`. */
export class StatusMapper {
  private readonly warned = new Set<string>();

  constructor(
    private readonly map: Readonly<Record<string, CaseStatusName>>,
    private readonly logger: Logger,
  ) {}

  status(explicit: unknown, code: string | undefined): CaseStatus {
    if (typeof explicit === 'string' && explicit !== '') return explicit as CaseStatus;
    if (code !== undefined && Object.prototype.hasOwnProperty.call(this.map, code)) return this.map[code]!;
    if (Object.prototype.hasOwnProperty.call(this.map, '*')) return this.map['*']!;
    if (code !== undefined && !this.warned.has(code) && this.warned.size < 100) {
      this.warned.add(code);
      this.logger.warn('vendor status code not in statusMap; reported as open', { externalStatusCode: code });
    }
    return 'open';
  }
}

/** The receipt the submit response mapping gave, normalised and checked against the receipt schema. */
export function toReceipt(mapped: unknown, path: string, statuses: StatusMapper): Receipt {
  if (!isRecord(mapped)) throw invalid('a receipt', path, [{ path: '', rule: 'type', message: 'must be an object' }]);
  const externalStatusCode = asText(mapped.externalStatusCode);
  const receipt: Record<string, unknown> = { ...mapped, externalRef: asText(mapped.externalRef) ?? mapped.externalRef };
  if (externalStatusCode !== undefined) receipt.externalStatusCode = externalStatusCode;
  if (receipt.status !== undefined || externalStatusCode !== undefined) receipt.status = statuses.status(receipt.status, externalStatusCode);
  const checked = validateAgainst<Receipt>(RECEIPT_SCHEMA, receipt);
  if (!checked.ok) throw invalid('a receipt', path, checked.issues);
  return checked.value;
}

/** A status update the status or poll mapping gave, normalised and checked against statusUpdate. */
export function toStatusUpdate(mapped: unknown, path: string, statuses: StatusMapper, now: () => Date, fallbackRef?: string, what = 'a status update'): StatusUpdate {
  if (!isRecord(mapped)) throw invalid(what, path, [{ path: '', rule: 'type', message: 'must be an object' }]);
  const externalStatusCode = asText(mapped.externalStatusCode);
  const update: Record<string, unknown> = {
    ...mapped,
    externalRef: asText(mapped.externalRef) ?? fallbackRef ?? mapped.externalRef,
    status: statuses.status(mapped.status, externalStatusCode),
    updatedAt: mapped.updatedAt ?? now().toISOString(),
    source: 'soap',
  };
  if (externalStatusCode !== undefined) update.externalStatusCode = externalStatusCode;
  const updateId = asText(mapped.updateId);
  if (updateId !== undefined) update.updateId = updateId;
  else delete update.updateId;
  if (update.description === undefined || update.description === null || update.description === '') delete update.description;
  const checked = validateData('statusUpdate', update);
  if (!checked.ok) throw invalid(what, path, checked.issues);
  return checked.value as StatusUpdate;
}

/** The `{updates, cursor}` the poll mapping gave. Keeps the previous cursor when the mapping gives none. */
export function toPollResult(mapped: unknown, path: string, statuses: StatusMapper, now: () => Date, previous: string | undefined): { updates: StatusUpdate[]; cursor: string } {
  if (!isRecord(mapped)) throw invalid('a poll result', path, [{ path: '', rule: 'type', message: 'must be an object {updates, cursor}' }]);
  const raw = mapped.updates === undefined || mapped.updates === null ? [] : Array.isArray(mapped.updates) ? mapped.updates : [mapped.updates];
  const updates = raw.map((u, i) => toStatusUpdate(u, path, statuses, now, undefined, `update ${i}`));
  const cursor = asText(mapped.cursor) ?? previous;
  if (cursor === undefined) throw invalid('a poll result', path, [{ path: '/cursor', rule: 'required', message: 'is missing: the mapping must give the cursor for the next poll' }]);
  return { updates, cursor };
}
