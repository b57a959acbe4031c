import type { ConformanceHarness } from '@lgx/testkit';
import { defineRestAdapter } from '../adapter';
import type { RestAdapterConfig } from '../config';
import { fieldbookExampleConfig } from '../fieldbook-example';
import { FIELDBOOK_CLIENT_ID, FIELDBOOK_CLIENT_SECRET, startFieldbookSimulator, type FieldbookSimulator } from './fieldbook-simulator';

/**
 * The conformance suite against the fictional Fieldbook with the example mapping, checked against
 * Fieldbook's OpenAPI document: the adapter's own conformance test and `lgx conformance
 * @lgx/adapter-rest` both run it. The definition checked declares exactly what that mapping does:
 * street reports deduplicated by a look-up, missed bins by Idempotency-Key.
 */
export const conformanceHarness: ConformanceHarness<RestAdapterConfig, FieldbookSimulator> = {
  adapter: defineRestAdapter(['street.report', 'waste.missedCollection'], { 'street.report': 'lookup' }),
  options: {
    simulator: () => startFieldbookSimulator(),
    config: (sim) =>
      fieldbookExampleConfig({
        baseUrl: sim.baseUrl,
        tokenUrl: sim.tokenUrl,
        clientId: FIELDBOOK_CLIENT_ID,
        clientSecret: FIELDBOOK_CLIENT_SECRET,
        openapi: sim.openapiUrl,
      }),
    countRecords: (sim) => sim.state.requests.size,
    changeStatus: (sim, ref) => void sim.setState(ref, 'scheduled', 'Crew booked for Tuesday'),
  },
};
