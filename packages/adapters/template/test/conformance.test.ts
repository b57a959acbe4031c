import { describeAdapterConformance } from '@lgx/testkit';
import adapter from '../src';
import { API_KEY, progressCase, startExampleWasteSimulator, type ExampleWasteSimulator } from '../src/testing';

// The whole LGX conformance suite, against the simulator of the vendor API.
describeAdapterConformance(adapter, {
  simulator: startExampleWasteSimulator,
  config: (sim: ExampleWasteSimulator) => ({ baseUrl: sim.url, apiKey: API_KEY }),
  countRecords: (sim: ExampleWasteSimulator) => sim.state.cases.size,
  changeStatus: (sim: ExampleWasteSimulator, ref: string) => progressCase(sim, ref, 'scheduled'),
});
