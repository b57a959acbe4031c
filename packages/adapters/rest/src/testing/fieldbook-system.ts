import type { SimulatedSystem } from '@lgx/testkit';
import { fieldbookExampleConfig } from '../fieldbook-example';
import { FIELDBOOK_STATES } from './fieldbook-openapi';
import { FIELDBOOK_CLIENT_ID, FIELDBOOK_CLIENT_SECRET, startFieldbookSimulator } from './fieldbook-simulator';

/**
 * The Fieldbook simulator as `lgx simulate fieldbook` runs it: the FICTIONAL REST system of the
 * declarative REST adapter's worked example, configured by that example's mapping.
 */
export const fieldbookSystem: SimulatedSystem = {
  name: 'fieldbook',
  title: "Fieldbook, the fictional REST field-service system of the declarative REST adapter's worked example",
  start: (options = {}) => startFieldbookSimulator(options),
  address: (url) => `${url}/v2`,
  stack: (url) => ({
    package: '@lgx/adapter-rest',
    config: {
      ...fieldbookExampleConfig({
        baseUrl: `${url}/v2`,
        tokenUrl: `${url}/oauth/token`,
        clientId: FIELDBOOK_CLIENT_ID,
        clientSecret: '${env:FIELDBOOK_CLIENT_SECRET}',
      }),
    },
    env: { FIELDBOOK_CLIENT_SECRET },
    types: ['street.report', 'waste.missedCollection'],
    notes: [
      'the mapping is the worked example of @lgx/adapter-rest (examples/fieldbook.json); its OpenAPI document is served at /v2/openapi.json',
      'requests are numbered FB-000001, FB-000002 ...; a street report is found again by its clientReference, a missed bin by its Idempotency-Key',
      `states: ${FIELDBOOK_STATES.join(', ')}; status polling reads the change feed /v2/changes`,
    ],
  }),
};

/** The systems `lgx simulate` can start from this package. */
export const simulatedSystems: readonly SimulatedSystem[] = [fieldbookSystem];
