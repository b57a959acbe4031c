import { describeAdapterConformance } from '@lgx/testkit';
import { setOpen311Status, startOpen311Simulator, type Open311Simulator } from '../src/testing';
import adapter from '../src';

// The whole LGX conformance suite, against the Open311 simulator, in each format.
for (const format of ['xml', 'json'] as const) {
  describe(`format ${format}`, () => {
    describeAdapterConformance(adapter, {
      simulator: () => startOpen311Simulator(),
      config: (sim: Open311Simulator) => ({ baseUrl: sim.endpoint, apiKey: sim.apiKey, format }),
      countRecords: (sim: Open311Simulator) => sim.state.requests.size,
      changeStatus: (sim: Open311Simulator, ref: string) => void setOpen311Status(sim, ref, 'action_scheduled', { description: 'Crew booked' }),
    });
  });
}
