import type { ConformanceHarness } from '@lgx/testkit';
import type { GovukPayConfig } from '../config';
import { startGovukPaySimulator, type GovukPaySimulator } from './govuk-pay-simulator';

/**
 * The conformance suite against the GOV.UK Pay simulator: the adapter's own conformance test and
 * `lgx conformance @lgx/adapter-govuk-pay` both run it. The status round trip completes the payment.
 */
export const conformanceHarness: ConformanceHarness<GovukPayConfig, GovukPaySimulator> = {
  options: {
    simulator: () => startGovukPaySimulator(),
    config: (sim) => ({ baseUrl: sim.url, apiKey: sim.apiKey, webhookSigningSecret: sim.webhookSigningSecret }),
    countRecords: (sim) => sim.state.payments.size,
    changeStatus: (sim, ref) => void sim.complete(ref),
  },
};
