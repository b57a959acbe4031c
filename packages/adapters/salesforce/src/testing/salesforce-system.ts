import type { SimulatedSystem } from '@lgx/testkit';
import { SALESFORCE_SIMULATOR_CLIENT_ID, SALESFORCE_SIMULATOR_CLIENT_SECRET, startSalesforceSimulator } from './salesforce-simulator';
import { DEFAULT_CASE_STATUSES } from './sobject-store';

/**
 * The Salesforce simulator as `lgx simulate salesforce` runs it. Its stack entry uses the client
 * credentials flow against the org's My Domain, so one port serves tokens and the API (the JWT
 * bearer flow needs the connected app's key, which a simulator makes afresh at every start).
 */
export const salesforceSystem: SimulatedSystem = {
  name: 'salesforce',
  title: 'a Salesforce Service Cloud org (the REST API for Cases, client credentials on its My Domain)',
  start: (options = {}) => startSalesforceSimulator(options),
  address: (url) => `${url}/services/data/v61.0`,
  stack: (url) => ({
    package: '@lgx/adapter-salesforce',
    config: {
      flow: 'client-credentials',
      loginUrl: url,
      clientId: SALESFORCE_SIMULATOR_CLIENT_ID,
      clientSecret: '${env:SALESFORCE_CLIENT_SECRET}',
      contactExternalIdField: 'LGX_Contact_Ref__c',
    },
    env: { SALESFORCE_CLIENT_SECRET: SALESFORCE_SIMULATOR_CLIENT_SECRET },
    types: ['crm.case'],
    notes: [
      'a case is upserted on the external id field LGX_Transaction_Id__c; case numbers run 00001001, 00001002 ...',
      `case statuses: ${DEFAULT_CASE_STATUSES.map((s) => `${s.ApiName}${s.IsClosed ? ' (closed)' : ''}`).join(', ')}; status polling reads getUpdated windows`,
      'the org allows 15,000 API requests in any 24 hours (its daily allocation, kept across restarts with the state); beyond that it answers 403 REQUEST_LIMIT_EXCEEDED',
    ],
  }),
};

/** The systems `lgx simulate` can start from this package. */
export const simulatedSystems: readonly SimulatedSystem[] = [salesforceSystem];
