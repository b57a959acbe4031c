import { describeAdapterConformance } from '@lgx/testkit';
import { startAlloySimulator, MISSED, OPTIONS, REPORT, type AlloySimulator } from '../src/testing';
import adapter, { alloyExampleConfig } from '../src';

/** What an officer moves an item on to, in each of the example customer's designs. */
const NEXT_STATUS: Record<string, string> = {
  [REPORT.design]: OPTIONS.reportStatus.worksOrdered.itemId,
  [MISSED.design]: OPTIONS.collectionStatus.returnScheduled.itemId,
};

// The whole LGX conformance suite, against the Alloy simulator and the example customer's mapping.
describeAdapterConformance(adapter, {
  simulator: () => startAlloySimulator(),
  config: (sim: AlloySimulator) => alloyExampleConfig(sim.apiUrl, sim.apiKey),
  countRecords: (sim: AlloySimulator) => sim.state.items.size,
  changeStatus: (sim: AlloySimulator, ref: string) => void sim.setStatus(ref, NEXT_STATUS[sim.item(ref).designCode] ?? OPTIONS.enquiryStatus.withService.itemId, 'Passed to the highways team'),
});
