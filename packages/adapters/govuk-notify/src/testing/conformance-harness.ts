import type { ConformanceHarness } from '@lgx/testkit';
import type { GovukNotifyConfig } from '../config';
import { GOVUK_NOTIFY_TEST_API_KEY, setNotifyStatus, startGovukNotifySimulator, type GovukNotifySimulator } from './govuk-notify-simulator';

/**
 * The conformance suite against the GOV.UK Notify simulator: the adapter's own conformance test and
 * `lgx conformance @lgx/adapter-govuk-notify` both run it. Messages stay in flight (a delivery delay
 * of an hour), so the status round trip sees the change it makes and not the simulator's own.
 */
export const conformanceHarness: ConformanceHarness<GovukNotifyConfig, GovukNotifySimulator> = {
  options: {
    simulator: () => startGovukNotifySimulator({ deliveryDelayMs: 3_600_000 }),
    config: (sim) => ({ baseUrl: sim.url, apiKey: GOVUK_NOTIFY_TEST_API_KEY, callbackBearerToken: 'callback-token-for-tests-0001' }),
    countRecords: (sim) => sim.state.notifications.size,
    changeStatus: (sim, ref) => void setNotifyStatus(sim, ref, 'sending'),
  },
};
