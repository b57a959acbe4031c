import { describeAdapterConformance } from '@lgx/testkit';
import { salesforceSimulatorConfig, startSalesforceSimulator, type SalesforceSimulator } from '../src/testing';
import adapter from '../src';
import { FIXTURE_CONTACT } from './helpers';

// The whole LGX conformance suite, against the Salesforce simulator, for each token flow.
for (const flow of ['jwt-bearer', 'client-credentials'] as const) {
  describe(flow, () => {
    describeAdapterConformance(adapter, {
      simulator: () => startSalesforceSimulator({ contacts: [FIXTURE_CONTACT] }),
      config: (sim: SalesforceSimulator) => salesforceSimulatorConfig(sim, flow),
      countRecords: (sim: SalesforceSimulator) => sim.state.cases.size,
      changeStatus: (sim: SalesforceSimulator, ref: string) => sim.setCaseStatus(ref, 'Working'),
    });
  });
}
