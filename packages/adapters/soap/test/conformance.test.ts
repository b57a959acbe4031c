import { describeAdapterConformance } from '@lgx/testkit';
import { conformanceHarness, startStreetWorksSimulator, STREET_WORKS_PASSWORD, STREET_WORKS_USERNAME } from '../src/testing';

// The whole LGX conformance suite, against the fictional Streetworks Exchange with the example
// mapping: the harness the package's `testing` export gives `lgx conformance` (login sessions).
const { adapter, options } = conformanceHarness;
describeAdapterConformance(adapter!, options);

// The same mapping with WS-Security UsernameToken instead of the login session.
describeAdapterConformance(adapter!, {
  ...options,
  simulator: () => startStreetWorksSimulator({ auth: 'wsSecurity' }),
  config: (sim) => ({
    ...options.config(sim),
    auth: { type: 'wsSecurity' as const, username: STREET_WORKS_USERNAME, password: STREET_WORKS_PASSWORD },
  }),
  changeStatus: (sim, ref) => sim.setStatus(ref, 'COMPLETED'),
});
