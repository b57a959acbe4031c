import type { ConformanceHarness } from '@lgx/testkit';
import type { SalesforceConfig } from '../config';
import { salesforceSimulatorConfig, startSalesforceSimulator, type SalesforceSimulator } from './salesforce-simulator';

/** The contact the canonical crm.case fixtures name (a GUID, related through a Contact external id field). */
export const SALESFORCE_FIXTURE_CONTACT = { LastName: 'Example', LGX_Contact_Ref__c: '0f3c5a7e-1b2d-4e6f-8a9b-c0d1e2f3a4b5' };

/**
 * The conformance suite against the Salesforce simulator, holding the fixtures' contact, with the JWT
 * bearer flow: the adapter's own conformance test (which also runs it with client credentials) and
 * `lgx conformance @lgx/adapter-salesforce` both run it.
 */
export const conformanceHarness: ConformanceHarness<SalesforceConfig, SalesforceSimulator> = {
  options: {
    simulator: () => startSalesforceSimulator({ contacts: [SALESFORCE_FIXTURE_CONTACT] }),
    config: (sim) => salesforceSimulatorConfig(sim),
    countRecords: (sim) => sim.state.cases.size,
    changeStatus: (sim, ref) => sim.setCaseStatus(ref, 'Working'),
  },
};
