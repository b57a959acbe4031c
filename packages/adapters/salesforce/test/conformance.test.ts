import { describeAdapterConformance } from '@lgx/testkit';
import { conformanceHarness, salesforceSimulatorConfig } from '../src/testing';
import adapter from '../src';

// The whole LGX conformance suite, against the Salesforce simulator, for each token flow: the harness
// the package's `testing` export gives `lgx conformance` (JWT bearer), and with client credentials.
for (const flow of ['jwt-bearer', 'client-credentials'] as const) {
  describe(flow, () => {
    describeAdapterConformance(adapter, { ...conformanceHarness.options, config: (sim) => salesforceSimulatorConfig(sim, flow) });
  });
}
