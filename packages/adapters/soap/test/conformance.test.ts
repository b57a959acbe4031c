import { describeAdapterConformance, startStreetWorksSimulator, STREET_WORKS_PASSWORD, STREET_WORKS_USERNAME, type StreetWorksSimulator } from '@lgx/testkit';
import { defineSoapAdapter, streetWorksExampleConfig } from '../src';

// The whole LGX conformance suite, against the fictional Streetworks Exchange with the example
// mapping. The adapter is declared with exactly the type that mapping serves (street.report).
const adapter = defineSoapAdapter(['street.report']);
const credentials = { username: STREET_WORKS_USERNAME, password: STREET_WORKS_PASSWORD };

describeAdapterConformance(adapter, {
  simulator: () => startStreetWorksSimulator(),
  config: (sim: StreetWorksSimulator) => streetWorksExampleConfig(sim.wsdlUrl, credentials),
  countRecords: (sim: StreetWorksSimulator) => sim.state.defects.size,
  changeStatus: (sim: StreetWorksSimulator, ref: string) => sim.setStatus(ref, 'SCHEDULED', 'Gang booked for Tuesday'),
  // These two run in the WS-Security suite below, with the same mapping. Here the 401 check has just
  // ended the session, so their call starts a Login that the simulator never answers; @lgx/core's
  // SOAP client shares one login among all callers under its own deadline (timeoutMs), so the next
  // checks would wait on that login rather than on their own call. See test/adapter.test.ts for
  // timeout and abort with a live session.
  skip: {
    'honours-timeout': 'runs in the WS-Security suite: a never-answered shared Login outlives the caller (core SOAP session)',
    'honours-abort': 'runs in the WS-Security suite: a never-answered shared Login outlives the caller (core SOAP session)',
  },
});

// The same mapping with WS-Security UsernameToken instead of the login session.
describeAdapterConformance(adapter, {
  simulator: () => startStreetWorksSimulator({ auth: 'wsSecurity' }),
  config: (sim: StreetWorksSimulator) => ({ ...streetWorksExampleConfig(sim.wsdlUrl, credentials), auth: { type: 'wsSecurity' as const, ...credentials } }),
  countRecords: (sim: StreetWorksSimulator) => sim.state.defects.size,
  changeStatus: (sim: StreetWorksSimulator, ref: string) => sim.setStatus(ref, 'COMPLETED'),
});
