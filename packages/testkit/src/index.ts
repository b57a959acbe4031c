/**
 * @module @lgx/testkit
 *
 * Build an LGX adapter and prove it right without a vendor sandbox: the conformance suite (one call
 * in a jest file), simulators of vendor APIs on 127.0.0.1 with fault injection, the canonical
 * fixtures, and record/replay helpers on nock for failures a simulator cannot produce.
 */
export { VERSION } from './version';
export { describeAdapterConformance } from './conformance/describe-conformance';
export { planConformance, runConformance } from './conformance/plan-conformance';
export { ConformanceFailure, type CheckId, type CheckResult, type ConformanceCheck, type ConformanceOptions, type ConformanceSession } from './conformance/conformance-types';
export { startSimulatorServer, sendJson, type Fault, type FaultControls, type RecordedRequest, type Simulator, type SimulatorHandler, type SimulatorServerOptions } from './simulators/simulator-server';
export { startRestSimulator, reply, SimulatorHttpError } from './simulators/rest-simulator';
export type * from './simulators/rest-simulator';
export { startSoapSimulator, soapFault, soapEnvelope, type SoapSimulator, type SoapSimulatorOptions, type SoapFaultOptions } from './simulators/soap-simulator';
export { loadFixtures, listFixtureTypes } from './fixtures';
export { record, replayFixture, scrubRecording, findUnscrubbedSecret, simulateTlsFailure, simulateResetMidBody, type RecordedInteraction, type ReplayHandle, type InterceptHandle } from './record-replay';
export type * from './fixtures';
export { createMemoryLogger } from './memory-logger';
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
} from './simulators/govuk-notify-simulator';
export { startGovukPaySimulator, signGovukPayWebhook, paymentResource as govukPayPaymentResource, GOVUK_PAY_SIMULATOR_API_KEY, GOVUK_PAY_FAILURES, type GovukPaySimulator, type GovukPaySimulatorOptions, type GovukPaySimulatorState, type GovukPayPaymentStatus, type GovukPayFailureCode, type GovukPayPaymentState, type GovukPaySimulatedPayment, type GovukPaySimulatedRefund, type GovukPayWebhookDelivery } from './simulators/govuk-pay-simulator';
export { startStreetWorksSimulator, hostileXmlFault, STREET_WORKS_WSDL, STREET_WORKS_NAMESPACE, STREET_WORKS_USERNAME, STREET_WORKS_PASSWORD, STREET_WORKS_DEFECT_TYPES, type StreetWorksSimulator, type StreetWorksSimulatorOptions, type StreetWorksState, type StreetWorksDefect, type StreetWorksChange, type StreetWorksStatusCode } from './simulators/street-works-simulator';
export { startOpen311Simulator, setOpen311Status, OPEN311_TEST_API_KEY, OPEN311_EXTENDED_STATUSES, DEFAULT_OPEN311_SERVICES, type Open311Simulator, type Open311SimulatorOptions, type Open311State, type Open311Status, type Open311ServiceDefinition, type Open311AttributeDefinition, type Open311ServiceRequest as Open311SimulatedRequest, type Open311RequestUpdate, type Open311Format as Open311SimulatorFormat } from './simulators/open311-simulator';
