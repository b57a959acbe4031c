import { describeAdapterConformance } from '@lgx/testkit';
import { startGovukPaySimulator, type GovukPaySimulator } from '../src/testing';
import adapter from '../src';

// The whole LGX conformance suite, against the GOV.UK Pay simulator.
describeAdapterConformance(adapter, {
  simulator: () => startGovukPaySimulator(),
  config: (sim: GovukPaySimulator) => ({ baseUrl: sim.url, apiKey: sim.apiKey, webhookSigningSecret: sim.webhookSigningSecret }),
  countRecords: (sim: GovukPaySimulator) => sim.state.payments.size,
  changeStatus: (sim: GovukPaySimulator, ref: string) => void sim.complete(ref),
});
