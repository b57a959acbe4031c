import type { ConformanceOptions } from '@lgx/testkit';
import { API_KEY, progressCase, startExampleWasteSimulator, type ExampleWasteSimulator } from '../src/testing';

// Options for `lgx conformance @lgx/adapter-template --harness test/harness.ts` (run under tsx).
const options: ConformanceOptions<{ baseUrl: string; apiKey: string }, ExampleWasteSimulator> = {
  simulator: startExampleWasteSimulator,
  config: (sim) => ({ baseUrl: sim.url, apiKey: API_KEY }),
  countRecords: (sim) => sim.state.cases.size,
  changeStatus: (sim, ref) => progressCase(sim, ref, 'scheduled'),
};
export default options;
