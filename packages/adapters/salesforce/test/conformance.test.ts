import { describeAdapterConformance } from '@lgx/testkit';
import { startSalesforceSimulator, type SalesforceSimulator } from '../src/testing';
import adapter from '../src';
import { FIXTURE_CONTACT, salesforceConfig } from './helpers';

// The whole LGX conformance suite, against the Salesforce simulator, for each token flow.
for (const flow of ['jwt-bearer', 'client-credentials'] as const) {
  describe(flow, () => {
    describeAdapterConformance(adapter, {
      simulator: () => startSalesforceSimulator({ contacts: [FIXTURE_CONTACT] }),
      config: (sim: SalesforceSimulator) =>
        flow === 'jwt-bearer' ? salesforceConfig(sim) : salesforceConfig(sim, { flow, loginUrl: sim.url, clientSecret: sim.clientSecret, username: undefined, privateKey: undefined }),
      countRecords: (sim: SalesforceSimulator) => sim.state.cases.size,
      changeStatus: (sim: SalesforceSimulator, ref: string) => sim.setCaseStatus(ref, 'Working'),
    });
  });
}
