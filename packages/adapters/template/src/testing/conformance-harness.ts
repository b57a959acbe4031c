import type { ConformanceHarness } from '@lgx/testkit';
import type { ExampleWasteConfig } from '../config';
import { API_KEY, progressCase, startExampleWasteSimulator, type ExampleWasteSimulator } from './example-waste-simulator';

/**
 * The conformance suite against this package's simulator. The package's own conformance test runs
 * it, and so does `lgx conformance <this package>` once it is installed: both read it from the
 * `testing` export, so they always run the same checks. Keep it beside the simulator when you
 * replace Example Waste with your system.
 */
export const conformanceHarness: ConformanceHarness<ExampleWasteConfig, ExampleWasteSimulator> = {
  options: {
    simulator: () => startExampleWasteSimulator(),
    config: (sim) => ({ baseUrl: sim.url, apiKey: API_KEY }),
    // Enables the idempotency check: the same transaction twice leaves one case.
    countRecords: (sim) => sim.state.cases.size,
    // Enables the status round trip: the case moves on as an officer would move it.
    changeStatus: (sim, ref) => progressCase(sim, ref, 'scheduled'),
  },
};
