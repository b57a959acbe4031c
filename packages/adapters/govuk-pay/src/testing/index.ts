/**
 * @module @lgx/adapter-govuk-pay/testing
 *
 * A simulator of the GOV.UK Pay public API on 127.0.0.1, to test this adapter without a GOV.UK Pay
 * account: payments and their events, refunds, Idempotency-Key, the rate limit, signed webhooks, and
 * the testkit's fault injection. It never holds card numbers. Needs `@lgx/testkit` installed beside
 * it; the adapter's main entry does not.
 */
export {
  startGovukPaySimulator,
  signGovukPayWebhook,
  paymentResource as govukPayPaymentResource,
  GOVUK_PAY_SIMULATOR_API_KEY,
  GOVUK_PAY_SIMULATOR_SIGNING_SECRET,
  GOVUK_PAY_FAILURES,
  type GovukPaySimulator,
  type GovukPaySimulatorOptions,
  type GovukPaySimulatorState,
  type GovukPayPaymentStatus,
  type GovukPayFailureCode,
  type GovukPayPaymentState,
  type GovukPaySimulatedPayment,
  type GovukPaySimulatedRefund,
  type GovukPayWebhookDelivery,
} from './govuk-pay-simulator';
export { govukPaySystem, simulatedSystems } from './govuk-pay-system';
export { conformanceHarness } from './conformance-harness';
