/**
 * @module @lgx/adapter-template/testing
 *
 * A simulator of the (fictional) Example Waste API v1 that the template adapter talks to, on
 * 127.0.0.1: cases, an idempotency-key index, a change feed and collection rounds, with the
 * testkit's fault injection. An adapter made from this template ships its own system's simulator
 * here, beside the adapter, so its tests and everyone testing against it use the same one. Needs
 * `@lgx/testkit` installed beside it; the adapter's main entry does not.
 */
export {
  startExampleWasteSimulator,
  progressCase,
  API_KEY,
  type ExampleCase,
  type ExampleWasteSimulator,
  type ExampleWasteSimulatorOptions,
} from './example-waste-simulator';
export { exampleWasteSystem, simulatedSystems } from './example-waste-system';
export { conformanceHarness } from './conformance-harness';
