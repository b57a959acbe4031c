import { REDACTED, redact, redactTransaction, schemaId, schemaRegistry, type Envelope, type Receipt, type StatusUpdate } from '@lgx/core';
import { personalDataScrubber } from '../engine/personal-data-scrubber';
import type { AttemptRecord, StoredDelivery, StoredStatusUpdate, StoredTransaction } from '../store/store-types';
import type { StatusUpdateView, TransactionSummary, TransactionView } from './read-types';

/** Replaces a transaction's personal values in a free text (an error message, a status note). */
export type TextScrubber = (text: string) => string;

const RECEIPT_SCHEMA = schemaId('receipt', 1);

const keepText: TextScrubber = (text) => text;

/** The scrubber for one transaction's personal values (none once its payload is purged). */
export function scrubberOf(transaction: Pick<StoredTransaction, 'envelope'> | undefined): TextScrubber {
  return transaction?.envelope ? personalDataScrubber(transaction.envelope) : keepText;
}

/** Every string inside `value` scrubbed; other values as they are. */
function scrubDeep<T>(value: T, scrub: TextScrubber): T {
  if (typeof value === 'string') return scrub(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => scrubDeep(item, scrub)) as T;
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v, scrub)])) as T;
  return value;
}

/**
 * A status update with its marked fields (the officer's note) masked and the transaction's personal
 * values scrubbed from its other texts; the transaction id is kept as it is (an id is no one's data).
 */
export function maskStatusUpdate(update: StatusUpdate, scrub: TextScrubber): StatusUpdate {
  const { transactionId, ...rest } = redact(update, schemaRegistry().get('statusUpdate').schema);
  return { ...scrubDeep(rest, scrub), ...(transactionId !== undefined ? { transactionId } : {}) } as StatusUpdate;
}

function maskStored<T extends StoredStatusUpdate>(stored: T, scrub: TextScrubber): T {
  return { ...stored, update: maskStatusUpdate(stored.update, scrub) };
}

/** A receipt with its marked fields masked and the transaction's personal values scrubbed from its attributes. */
function maskReceipt(receipt: Receipt, scrub: TextScrubber): Receipt {
  const entry = schemaRegistry().getById(RECEIPT_SCHEMA);
  // The receipt schema ships with core; should it be missing, nothing of the receipt is shown.
  if (!entry) return { externalRef: REDACTED } as Receipt;
  const masked = redact(receipt, entry.schema);
  return masked.attributes ? { ...masked, attributes: scrubDeep(masked.attributes, scrub) } : masked;
}

/** A delivery with its error texts scrubbed and its receipt masked. */
export function maskDelivery<T extends StoredDelivery & { attemptLog?: AttemptRecord[] }>(delivery: T, scrub: TextScrubber): T {
  const masked: T = { ...delivery };
  if (delivery.lastError) masked.lastError = { ...delivery.lastError, message: scrub(delivery.lastError.message) };
  if (delivery.receipt) masked.receipt = maskReceipt(delivery.receipt, scrub);
  if (delivery.attemptLog)
    masked.attemptLog = delivery.attemptLog.map((a) => (a.message === undefined ? a : { ...a, message: scrub(a.message) }));
  return masked;
}

function maskTransaction(transaction: StoredTransaction): StoredTransaction {
  return transaction.envelope ? { ...transaction, envelope: redactTransaction(transaction.envelope) as Envelope } : transaction;
}

/**
 * A transaction as a reader without the personal-data scope sees it: every field the canonical
 * schemas mark `x-lgx-pii` (or secret) masked in the envelope, status updates and receipts, and the
 * transaction's personal values scrubbed from the free texts (error messages, status notes) where a
 * back office may have echoed them.
 */
export function maskTransactionView(view: TransactionView): TransactionView {
  const scrub = scrubberOf(view.transaction);
  return {
    ...view,
    transaction: maskTransaction(view.transaction),
    deliveries: view.deliveries.map((d) => maskDelivery(d, scrub)),
    statusUpdates: view.statusUpdates.map((u) => maskStored(u, scrub)),
    ...(view.latestStatus ? { latestStatus: maskStored(view.latestStatus, scrub) } : {}),
  };
}

/** A page item masked as maskTransactionView masks a whole transaction. */
export function maskTransactionSummary(summary: TransactionSummary): TransactionSummary {
  const scrub = scrubberOf(summary.transaction);
  return {
    ...summary,
    transaction: maskTransaction(summary.transaction),
    ...(summary.latestStatus ? { latestStatus: maskStored(summary.latestStatus, scrub) } : {}),
  };
}

/**
 * Status updates masked; `transactions` gives each update's transaction (for its personal values to
 * scrub from the update's texts), as a page read of them returns it.
 */
export function maskStatusUpdateViews(
  updates: readonly StatusUpdateView[],
  transactions: ReadonlyMap<string, Pick<StoredTransaction, 'envelope'>>,
): StatusUpdateView[] {
  return updates.map((u) => maskStored(u, scrubberOf(transactions.get(u.transactionId))));
}
