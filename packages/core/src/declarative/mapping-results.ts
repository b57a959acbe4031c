import { PermanentError } from '../errors/adapter-errors';
import type { CaseStatus, Receipt, StatusUpdate } from '../generated/types';
import type { Logger } from '../logging/logger';
import { collectMarkedValues } from '../redaction/redact';
import { schemaRegistry } from '../schema/schema-registry';
import type { ValidationIssue } from '../types';
import { validateAgainst, validateData } from '../validation/validate';

const RECEIPT_SCHEMA = 'https://schemas.lgx.dev/receipt/v1.json';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** The mapping gave something its schema refuses: permanent, naming the config path and schema paths, never values. */
function invalid(what: string, path: string, issues: readonly ValidationIssue[]): PermanentError {
  const list = issues
    .slice(0, 5)
    .map((i) => `${i.path || '/'} ${i.message}`)
    .join('; ');
  return new PermanentError(`the mapping at ${path} gave ${what} that is not valid: ${list}`, {
    details: { mapping: path, issues: issues.map((i) => ({ path: i.path, rule: i.rule })) },
  });
}

export interface MappingResultsOptions {
  /** The council's vendor status code to canonical status table; `'*'` catches the rest. */
  statusMap: Readonly<Record<string, CaseStatus>>;
  logger: Logger;
  now: () => Date;
  /** The `source` of every status update, e.g. `'rest'`. */
  source: string;
}

/**
 * What a council's response mappings give, made into receipts, status updates and poll results and
 * checked against their schemas; vendor status codes become canonical through the `statusMap`.
 */
export class MappingResults {
  private readonly warned = new Set<string>();

  constructor(private readonly options: MappingResultsOptions) {}

  /** The mapping's own status when it gives one, else the vendor code through the statusMap, else open (warned once per code). */
  status(explicit: unknown, code: string | undefined): CaseStatus {
    const map = this.options.statusMap;
    if (typeof explicit === 'string' && explicit !== '') return explicit as CaseStatus;
    if (code !== undefined && Object.prototype.hasOwnProperty.call(map, code)) return map[code]!;
    if (Object.prototype.hasOwnProperty.call(map, '*')) return map['*']!;
    if (code !== undefined && !this.warned.has(code) && this.warned.size < 100) {
      this.warned.add(code);
      this.options.logger.warn('vendor status code not in statusMap; reported as open', { externalStatusCode: code.slice(0, 100) });
    }
    return 'open';
  }

  /**
   * The receipt a submit (or look-up) mapping gave, normalised and checked against the receipt schema.
   * Receipts are shown to anyone who may read the transaction: an attribute holding any of the
   * transaction's personal data is dropped (with a warning naming it), whatever the mapping says.
   */
  receipt(mapped: unknown, path: string, transaction: { type: string; data: unknown }): Receipt {
    if (!isRecord(mapped)) throw invalid('a receipt', path, [{ path: '', rule: 'type', message: 'must be an object' }]);
    const receipt: Record<string, unknown> = { ...mapped, externalRef: asText(mapped.externalRef) ?? mapped.externalRef };
    const externalStatusCode = asText(mapped.externalStatusCode);
    if (externalStatusCode !== undefined) receipt.externalStatusCode = externalStatusCode;
    else delete receipt.externalStatusCode;
    if (receipt.status !== undefined || externalStatusCode !== undefined) receipt.status = this.status(receipt.status, externalStatusCode);
    for (const key of ['acceptedAt', 'url', 'attributes', 'pending', 'nextUrl'] as const)
      if (receipt[key] === null || receipt[key] === undefined) delete receipt[key];
    if (isRecord(receipt.attributes)) {
      const personal = collectMarkedValues(transaction.data, schemaRegistry().get(transaction.type).schema, ['x-lgx-pii']).filter(
        (v) => v.length >= 3,
      );
      const attributes: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(receipt.attributes)) {
        const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
        if (personal.some((p) => text.includes(p)))
          this.options.logger.warn('receipt attribute holds personal data of the transaction; left out', {
            attribute: key.slice(0, 64),
            mapping: path,
          });
        else Object.defineProperty(attributes, key, { value, enumerable: true, writable: true, configurable: true });
      }
      receipt.attributes = attributes;
    }
    const checked = validateAgainst<Receipt>(RECEIPT_SCHEMA, receipt);
    if (!checked.ok) throw invalid('a receipt', path, checked.issues);
    return checked.value;
  }

  /** A status update a status or poll mapping gave, normalised and checked against statusUpdate. */
  statusUpdate(mapped: unknown, path: string, fallbackRef?: string, what = 'a status update'): StatusUpdate {
    if (!isRecord(mapped)) throw invalid(what, path, [{ path: '', rule: 'type', message: 'must be an object' }]);
    const externalStatusCode = asText(mapped.externalStatusCode);
    const update: Record<string, unknown> = {
      ...mapped,
      externalRef: asText(mapped.externalRef) ?? fallbackRef ?? mapped.externalRef,
      status: this.status(mapped.status, externalStatusCode),
      updatedAt: mapped.updatedAt ?? this.options.now().toISOString(),
      source: this.options.source,
    };
    if (externalStatusCode !== undefined) update.externalStatusCode = externalStatusCode;
    else delete update.externalStatusCode;
    const updateId = asText(mapped.updateId);
    if (updateId !== undefined) update.updateId = updateId;
    else delete update.updateId;
    if (update.description === undefined || update.description === null || update.description === '') delete update.description;
    const checked = validateData('statusUpdate', update);
    if (!checked.ok) throw invalid(what, path, checked.issues);
    return checked.value as StatusUpdate;
  }

  /** The `{updates, cursor}` a poll mapping gave; without a cursor the previous one is kept. */
  pollResult(mapped: unknown, path: string, previous: string | undefined): { updates: StatusUpdate[]; cursor: string } {
    if (!isRecord(mapped))
      throw invalid('a poll result', path, [{ path: '', rule: 'type', message: 'must be an object {updates, cursor}' }]);
    const raw =
      mapped.updates === undefined || mapped.updates === null ? [] : Array.isArray(mapped.updates) ? mapped.updates : [mapped.updates];
    const updates = raw.map((u, i) => this.statusUpdate(u, path, undefined, `update ${i}`));
    const cursor = asText(mapped.cursor) ?? previous;
    if (cursor === undefined)
      throw invalid('a poll result', path, [
        { path: '/cursor', rule: 'required', message: 'is missing: the mapping must give the cursor for the next poll' },
      ]);
    return { updates, cursor };
  }
}
