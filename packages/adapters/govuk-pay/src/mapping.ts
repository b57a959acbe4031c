import { LgxValidationError, type CaseStatus, type Payment, type Receipt, type StatusUpdate } from '@lgx/core';
import type { PayCreateRequest, PayPayment, PayRefund, PayStatus } from './govuk-pay-api';

type PaymentDetail = NonNullable<StatusUpdate['payment']>;
type RefundDetail = NonNullable<PaymentDetail['refunds']>[number];

const STATES: ReadonlySet<string> = new Set<PayStatus>([
  'created',
  'started',
  'submitted',
  'capturable',
  'success',
  'failed',
  'cancelled',
  'error',
]);

/** GOV.UK Pay payment state -> canonical status (see the README's status table). */
export const STATUS_BY_STATE: Readonly<Record<PayStatus, CaseStatus>> = {
  created: 'open',
  started: 'in_progress',
  submitted: 'in_progress',
  capturable: 'action_scheduled',
  success: 'closed',
  failed: 'cancelled',
  cancelled: 'cancelled',
  error: 'cancelled',
};

/** What GOV.UK Pay's failure codes mean, for the update's description. */
export const FAILURE_TEXT: Readonly<Record<string, string>> = {
  P0010: 'Payment method rejected',
  P0020: 'Payment expired: the user did not pay within 90 minutes',
  P0030: 'Payment cancelled by the user',
  P0040: 'Payment cancelled by the service',
  P0050: 'Payment provider returned an error',
};

/** Metadata keys the adapter adds, when the council's own metadata leaves room (10 keys at most). */
const LGX_METADATA = { transaction: 'lgx_transaction_id', paysFor: 'lgx_pays_for', fundCode: 'lgx_fund_code' } as const;

/** GOV.UK Pay's Idempotency-Key takes letters, digits and hyphens (1 to 255); other keys are hashed to fit. */
export function payIdempotencyKey(key: string, sha256Hex: (text: string) => string): string {
  return /^[A-Za-z0-9-]{1,255}$/.test(key) ? key : `lgx-${sha256Hex(key)}`;
}

/** The create-payment body for a canonical payment (checks what the schema leaves to adapters). */
export function toCreateRequest(data: Payment, transactionId: string, returnUrlOrigins?: readonly string[]): PayCreateRequest {
  if (data.lineItems) {
    const total = data.lineItems.reduce((sum, item) => sum + item.amountPence, 0);
    if (total !== data.amountPence) {
      throw new LgxValidationError(
        [{ path: '/lineItems', rule: 'sum', message: `line items add up to ${total} pence, not amountPence ${data.amountPence}` }],
        { subject: 'payment data' },
      );
    }
  }
  if (returnUrlOrigins && !returnUrlOrigins.includes(new URL(data.returnUrl).origin)) {
    throw new LgxValidationError(
      [{ path: '/returnUrl', rule: 'origin', message: "is not on one of the origins allowed by the adapter's returnUrlOrigins" }],
      { subject: 'payment data' },
    );
  }
  const metadata: Record<string, string | number | boolean> = { ...data.metadata };
  const add = (key: string, value: string | undefined) => {
    if (value === undefined || value.length > 100 || key in metadata || Object.keys(metadata).length >= 10) return;
    metadata[key] = value;
  };
  add(LGX_METADATA.transaction, transactionId);
  add(LGX_METADATA.paysFor, data.transactionId);
  add(LGX_METADATA.fundCode, data.fundCode);
  const body: PayCreateRequest = {
    amount: data.amountPence,
    reference: data.reference,
    description: data.description,
    return_url: data.returnUrl,
  };
  if (data.language) body.language = data.language;
  if (data.email !== undefined) body.email = data.email;
  if (data.delayedCapture !== undefined) body.delayed_capture = data.delayedCapture;
  if (Object.keys(metadata).length) body.metadata = metadata;
  return body;
}

/** True when the text holds a control character (U+0000 to U+001F), which references may not. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) < 0x20) return true;
  return false;
}

function isState(status: string): status is PayStatus {
  return STATES.has(status);
}

/** The receipt for a created payment: its id, state and the payment page for the citizen. */
export function toReceipt(payment: PayPayment, now: Date): Receipt {
  const receipt: Receipt = {
    externalRef: payment.payment_id,
    status: isState(payment.state.status) ? STATUS_BY_STATE[payment.state.status] : 'open',
    externalStatusCode: payment.state.status,
    acceptedAt: validDate(payment.created_date) ?? now.toISOString(),
  };
  const next = payment._links?.next_url?.href;
  if (typeof next === 'string' && /^https?:\/\//.test(next) && next.length <= 2048) receipt.nextUrl = next;
  return receipt;
}

function validDate(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= 40 && !Number.isNaN(Date.parse(value)) && /[zZ]|[+-][0-9]{2}:?[0-9]{2}$/.test(value)
    ? value
    : undefined;
}

export function toRefund(refund: PayRefund): RefundDetail | undefined {
  if (!['submitted', 'success', 'error'].includes(refund.status) || !Number.isInteger(refund.amount) || refund.amount < 1) return undefined;
  const out: RefundDetail = { refundRef: refund.refund_id, amountPence: refund.amount, status: refund.status as RefundDetail['status'] };
  const created = validDate(refund.created_date);
  if (created) out.createdAt = created;
  return out;
}

/**
 * A canonical status update for a GOV.UK Pay payment. Only the card brand and last four digits are
 * kept from the card; an unknown state is refused rather than guessed.
 */
export function toStatusUpdate(
  payment: PayPayment,
  options: { updatedAt: string; updateId?: string; refunds?: PayRefund[] },
): StatusUpdate {
  const status = payment.state?.status;
  if (typeof status !== 'string' || !isState(status))
    throw new TypeError(`GOV.UK Pay answered with an unknown payment state for ${payment.payment_id}`);
  const detail: PaymentDetail = {
    state: status,
    finished: payment.state.finished ?? ['success', 'failed', 'cancelled', 'error'].includes(status),
  };
  if (typeof payment.state.code === 'string' && /^P[0-9]{4}$/.test(payment.state.code)) detail.failureCode = payment.state.code;
  if (
    typeof payment.provider_id === 'string' &&
    payment.provider_id !== '' &&
    payment.provider_id.length <= 128 &&
    !hasControlCharacter(payment.provider_id)
  )
    detail.providerRef = payment.provider_id;
  const brand = payment.card_details?.card_brand;
  if (typeof brand === 'string' && brand.length >= 1 && brand.length <= 40) detail.cardBrand = brand;
  const lastFour = payment.card_details?.last_digits_card_number;
  if (typeof lastFour === 'string' && /^[0-9]{4}$/.test(lastFour)) detail.cardLastFour = lastFour;
  const refunds = (options.refunds ?? [])
    .map(toRefund)
    .filter((r): r is RefundDetail => r !== undefined)
    .slice(0, 50);
  if (refunds.length) detail.refunds = refunds;
  const update: StatusUpdate = {
    externalRef: payment.payment_id,
    status: STATUS_BY_STATE[status],
    externalStatusCode: status,
    updatedAt: options.updatedAt,
    source: 'govuk-pay',
    payment: detail,
  };
  if (options.updateId !== undefined) update.updateId = options.updateId;
  const text = detail.failureCode ? FAILURE_TEXT[detail.failureCode] : undefined;
  if (text) update.description = text;
  return update;
}

/** A stable id for "this payment reached this state", so a repeated report can be recognised. */
export function stateUpdateId(payment: PayPayment): string {
  return [payment.payment_id, payment.state.status, payment.state.code].filter(Boolean).join(':');
}
