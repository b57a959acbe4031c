/**
 * @module @lgx/testkit
 *
 * Build an LGX adapter and prove it right without a vendor sandbox: the conformance suite (one call
 * in a jest file), generic REST and SOAP simulator servers on 127.0.0.1 with fault injection to
 * build a vendor's simulator on, the canonical fixtures, and record/replay helpers on nock for
 * failures a simulator cannot produce. Each vendor's own simulator ships in its adapter's `testing`
 * export (`@lgx/adapter-open311/testing`, ...).
 */
export { VERSION } from './version';
export { describeAdapterConformance } from './conformance/describe-conformance';
export { planConformance, runConformance } from './conformance/plan-conformance';
export {
  ConformanceFailure,
  type CheckId,
  type CheckResult,
  type ConformanceCheck,
  type ConformanceOptions,
  type ConformanceSession,
} from './conformance/conformance-types';
export type { ConformanceHarness } from './conformance/conformance-harness';
export {
  startSimulatorServer,
  sendJson,
  type Fault,
  type FaultControls,
  type RecordedRequest,
  type Simulator,
  type SimulatorHandler,
  type SimulatorServerOptions,
} from './simulators/simulator-server';
export {
  startRestSimulator,
  reply,
  SimulatorHttpError,
  type RestAuth,
  type RestContext,
  type RestHandler,
  type RestMethod,
  type RestRequest,
  type RestResponse,
  type RestRoute,
  type RestSimulator,
  type RestSimulatorOptions,
} from './simulators/rest-simulator';
export {
  startSoapSimulator,
  soapFault,
  soapEnvelope,
  type SoapSimulator,
  type SoapSimulatorOptions,
  type SoapFaultOptions,
} from './simulators/soap-simulator';
export { openStateFile, type StateFile } from './simulators/state-file';
export type { SimulatedStack, SimulatedSystem, SimulatedSystemOptions } from './simulators/simulated-system';
export {
  loadFixtures,
  listFixtureTypes,
  type CanonicalFixture,
  type FixtureData,
  type FixtureKind,
  type LoadFixturesOptions,
} from './fixtures';
export {
  record,
  replayFixture,
  scrubRecording,
  findUnscrubbedSecret,
  simulateTlsFailure,
  simulateResetMidBody,
  type RecordedInteraction,
  type ReplayHandle,
  type InterceptHandle,
} from './record-replay';
export { createMemoryLogger } from './memory-logger';
export { waitFor, type Satisfied, type WaitForOptions } from './wait-for';
