/**
 * @module @lgx/adapter-govuk-pay
 *
 * The LGX adapter for GOV.UK Pay: canonical `payment` transactions become payments on GOV.UK Pay's
 * hosted pages (the receipt carries the payment page as `nextUrl`), with status by look-up, by
 * polling and from signed webhooks (`Pay-Signature`), and refunds through `refundPayment`.
 */
export { adapter, adapter as default } from './adapter';
export { configSchema, DEFAULT_BASE_URL, type GovukPayConfig } from './config';
export { refundPayment, type GovukPayRefund, type RefundOptions, type RefundRequest } from './refunds';
export { VERSION } from './version';
