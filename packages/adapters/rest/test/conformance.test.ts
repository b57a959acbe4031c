import { describeAdapterConformance } from '@lgx/testkit';
import { startFieldbookSimulator, FIELDBOOK_CLIENT_ID, FIELDBOOK_CLIENT_SECRET, type FieldbookSimulator } from '../src/testing';
import { defineRestAdapter, fieldbookExampleConfig } from '../src';

// The whole LGX conformance suite, against the fictional Fieldbook with the example mapping, checked
// against Fieldbook's OpenAPI document. The adapter declares exactly what that mapping does: street
// reports deduplicated by a look-up, missed bins by Idempotency-Key.
const adapter = defineRestAdapter(['street.report', 'waste.missedCollection'], { 'street.report': 'lookup' });

describeAdapterConformance(adapter, {
  simulator: () => startFieldbookSimulator(),
  config: (sim: FieldbookSimulator) => fieldbookExampleConfig({ baseUrl: sim.baseUrl, tokenUrl: sim.tokenUrl, clientId: FIELDBOOK_CLIENT_ID, clientSecret: FIELDBOOK_CLIENT_SECRET, openapi: sim.openapiUrl }),
  countRecords: (sim: FieldbookSimulator) => sim.state.requests.size,
  changeStatus: (sim: FieldbookSimulator, ref: string) => void sim.setState(ref, 'scheduled', 'Crew booked for Tuesday'),
});
