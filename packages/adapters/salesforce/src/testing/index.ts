/**
 * @module @lgx/adapter-salesforce/testing
 *
 * A simulator of a Salesforce org on 127.0.0.1 (the REST API for Cases on the org's My Domain, and a
 * login host for the JWT bearer flow), to test this adapter without a Salesforce org: upsert by
 * external id, the array error body, sessions, the daily API allocation, getUpdated windows,
 * composite requests, CaseStatus. Needs `@lgx/testkit` installed beside it; the adapter's main entry
 * does not.
 */
export {
  startSalesforceSimulator,
  salesforceSimulatorConfig,
  SALESFORCE_SIMULATOR_CLIENT_ID,
  SALESFORCE_SIMULATOR_CLIENT_SECRET,
  SALESFORCE_SIMULATOR_USERNAME,
  type SalesforceSimulator,
  type SalesforceSimulatorOptions,
  type SalesforceSimulatorState,
} from './salesforce-simulator';
export { DEFAULT_CASE_STATUSES, type CaseStatusValue, type SfRecord } from './sobject-store';
export { salesforceSystem, simulatedSystems } from './salesforce-system';
export { conformanceHarness, SALESFORCE_FIXTURE_CONTACT } from './conformance-harness';
