/**
 * @module @lgx/adapter-alloy/testing
 *
 * A simulator of the Alloy API on 127.0.0.1, to test this adapter (and a council's Alloy mapping)
 * without an Alloy customer: items checked against designs, AQS queries and counts, signatures,
 * item logs, files, API key rotation, a rate limit, lost answers and the testkit's fault injection.
 * It serves a FICTIONAL example customer's designs unless given others. Needs `@lgx/testkit`
 * installed beside it; the adapter's main entry does not.
 */
export {
  startAlloySimulator,
  ALLOY_SIMULATOR_API_KEY,
  type AlloySimulator,
  type AlloySimulatorOptions,
  type AlloySimulatorState,
} from './alloy-simulator';
export type { SimulatedItem } from './simulated-items';
export {
  EXAMPLE_DESIGNS,
  EXAMPLE_OPTIONS,
  REPORT,
  MISSED,
  ENQUIRY,
  OPTIONS,
  type ExampleAttribute,
  type ExampleAttributeType,
  type ExampleDesign,
  type ExampleOption,
} from '../example-designs';
export { alloySystem, simulatedSystems } from './alloy-system';
export { conformanceHarness } from './conformance-harness';
