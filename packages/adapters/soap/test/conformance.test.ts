import { describeAdapterConformance } from '@lgx/testkit';
import { startStreetWorksSimulator, STREET_WORKS_PASSWORD, STREET_WORKS_USERNAME, type StreetWorksSimulator } from '../src/testing';
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
});

// The same mapping with WS-Security UsernameToken instead of the login session.
describeAdapterConformance(adapter, {
  simulator: () => startStreetWorksSimulator({ auth: 'wsSecurity' }),
  config: (sim: StreetWorksSimulator) => ({ ...streetWorksExampleConfig(sim.wsdlUrl, credentials), auth: { type: 'wsSecurity' as const, ...credentials } }),
  countRecords: (sim: StreetWorksSimulator) => sim.state.defects.size,
  changeStatus: (sim: StreetWorksSimulator, ref: string) => sim.setStatus(ref, 'COMPLETED'),
});
