/**
 * @module @lgx/adapter-govuk-notify/testing
 *
 * A simulator of the GOV.UK Notify REST API v2 on 127.0.0.1, to test this adapter without a Notify
 * service: JWT checked as Notify does, templates, stateful messages, the test-key failure
 * simulators, the limits, delivery receipts, and the testkit's fault injection. Needs `@lgx/testkit`
 * installed beside it; the adapter's main entry does not.
 */
export {
  startGovukNotifySimulator,
  setNotifyStatus,
  sendNotifyCallback,
  notifyDeliveryReceipt,
  notifyError,
  normaliseNotifyPhone,
  DEFAULT_NOTIFY_TEMPLATES,
  GOVUK_NOTIFY_SERVICE_ID,
  GOVUK_NOTIFY_TEST_API_KEY,
  GOVUK_NOTIFY_LIVE_API_KEY,
  GOVUK_NOTIFY_TEAM_API_KEY,
  type GovukNotifySimulator,
  type GovukNotifySimulatorOptions,
  type NotifySimulatorMessage,
  type NotifySimulatorState,
  type NotifySimulatorTemplate,
  type NotifyKeyType,
  type NotifyTemplateType,
} from './govuk-notify-simulator';
export { govukNotifySystem, simulatedSystems } from './govuk-notify-system';
export { conformanceHarness } from './conformance-harness';
