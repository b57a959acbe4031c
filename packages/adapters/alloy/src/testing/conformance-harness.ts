import type { ConformanceHarness } from '@lgx/testkit';
import type { AlloyConfig } from '../config';
import { alloyExampleConfig } from '../example-config';
import { MISSED, OPTIONS, REPORT } from '../example-designs';
import { startAlloySimulator, type AlloySimulator } from './alloy-simulator';

/** What an officer moves an item on to, in each of the example customer's designs. */
const NEXT_STATUS: Record<string, string> = {
  [REPORT.design]: OPTIONS.reportStatus.worksOrdered.itemId,
  [MISSED.design]: OPTIONS.collectionStatus.returnScheduled.itemId,
};

/**
 * The conformance suite against the Alloy simulator and the example customer's mapping: the adapter's
 * own conformance test and `lgx conformance @lgx/adapter-alloy` both run it.
 */
export const conformanceHarness: ConformanceHarness<AlloyConfig, AlloySimulator> = {
  options: {
    simulator: () => startAlloySimulator(),
    config: (sim) => alloyExampleConfig(sim.apiUrl, sim.apiKey),
    countRecords: (sim) => sim.state.items.size,
    changeStatus: (sim, ref) =>
      void sim.setStatus(
        ref,
        NEXT_STATUS[sim.item(ref).designCode] ?? OPTIONS.enquiryStatus.withService.itemId,
        'Passed to the highways team',
      ),
  },
};
