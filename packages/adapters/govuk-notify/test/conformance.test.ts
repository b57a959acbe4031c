import { describeAdapterConformance } from '@lgx/testkit';
import { GOVUK_NOTIFY_TEST_API_KEY, setNotifyStatus, startGovukNotifySimulator, type GovukNotifySimulator } from '../src/testing';
import adapter from '../src';

// The whole LGX conformance suite, against the simulator of the Notify API. Messages stay
// in flight (a long delivery delay), so the status round trip sees the change made here.
describeAdapterConformance(adapter, {
  simulator: () => startGovukNotifySimulator({ deliveryDelayMs: 3_600_000 }),
  config: (sim: GovukNotifySimulator) => ({ baseUrl: sim.url, apiKey: GOVUK_NOTIFY_TEST_API_KEY, callbackBearerToken: 'callback-token-for-tests-0001' }),
  countRecords: (sim: GovukNotifySimulator) => sim.state.notifications.size,
  changeStatus: (sim: GovukNotifySimulator, ref: string) => void setNotifyStatus(sim, ref, 'sending'),
});
