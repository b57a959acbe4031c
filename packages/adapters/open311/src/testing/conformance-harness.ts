import type { ConformanceHarness } from '@lgx/testkit';
import type { Open311Config } from '../config';
import { setOpen311Status, startOpen311Simulator, type Open311Simulator } from './open311-simulator';

/**
 * The conformance suite against the Open311 simulator, in the adapter's default format: the
 * adapter's own conformance test (which also runs it in each format) and `lgx conformance
 * @lgx/adapter-open311` both run it.
 */
export const conformanceHarness: ConformanceHarness<Open311Config, Open311Simulator> = {
  options: {
    simulator: () => startOpen311Simulator(),
    config: (sim) => ({ baseUrl: sim.endpoint, apiKey: sim.apiKey }),
    countRecords: (sim) => sim.state.requests.size,
    changeStatus: (sim, ref) => void setOpen311Status(sim, ref, 'action_scheduled', { description: 'Crew booked' }),
  },
};
