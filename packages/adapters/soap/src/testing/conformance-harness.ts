import type { ConformanceHarness } from '@lgx/testkit';
import { defineSoapAdapter } from '../adapter';
import type { SoapAdapterConfig } from '../config';
import { streetWorksExampleConfig } from '../street-works-example';
import {
  STREET_WORKS_PASSWORD,
  STREET_WORKS_USERNAME,
  startStreetWorksSimulator,
  type StreetWorksSimulator,
} from './street-works-simulator';

/**
 * The conformance suite against the fictional Streetworks Exchange with the shipped example mapping
 * (login sessions): the adapter's own conformance test (which also runs it with WS-Security) and
 * `lgx conformance @lgx/adapter-soap` both run it. A declarative adapter serves what its mapping
 * maps, so the definition checked declares exactly that: street reports.
 */
export const conformanceHarness: ConformanceHarness<SoapAdapterConfig, StreetWorksSimulator> = {
  adapter: defineSoapAdapter(['street.report']),
  options: {
    simulator: () => startStreetWorksSimulator(),
    config: (sim) => streetWorksExampleConfig(sim.wsdlUrl, { username: STREET_WORKS_USERNAME, password: STREET_WORKS_PASSWORD }),
    countRecords: (sim) => sim.state.defects.size,
    changeStatus: (sim, ref) => sim.setStatus(ref, 'SCHEDULED', 'Gang booked for Tuesday'),
  },
};
