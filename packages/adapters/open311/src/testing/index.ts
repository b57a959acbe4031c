/**
 * @module @lgx/adapter-open311/testing
 *
 * A stateful Open311 GeoReport v2 server with the mySociety extensions, on 127.0.0.1, to test this
 * adapter (and anything that speaks Open311) without a council's back office: services and
 * attributes, token mode, servicerequestupdates, XML and JSON, and the testkit's fault injection.
 * Needs `@lgx/testkit` installed beside it; the adapter's main entry does not.
 */
export {
  startOpen311Simulator,
  setOpen311Status,
  OPEN311_TEST_API_KEY,
  OPEN311_EXTENDED_STATUSES,
  DEFAULT_OPEN311_SERVICES,
  type Open311Simulator,
  type Open311SimulatorOptions,
  type Open311State,
  type Open311Status,
  type Open311ServiceDefinition,
  type Open311AttributeDefinition,
  type Open311ServiceRequest as Open311SimulatedRequest,
  type Open311RequestUpdate,
  type Open311Format as Open311SimulatorFormat,
} from './open311-simulator';
export { open311System, simulatedSystems } from './open311-system';
export { conformanceHarness } from './conformance-harness';
