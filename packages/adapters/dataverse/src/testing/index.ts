/**
 * @module @lgx/adapter-dataverse/testing
 *
 * A simulator of the Microsoft Dataverse Web API (incidents, contacts, accounts, CloseIncident,
 * alternate keys, conditional writes, change tracking, service protection limits) and of the Entra ID
 * token endpoint, on 127.0.0.1, to test this adapter without a Dynamics 365 environment. Needs
 * `@lgx/testkit` installed beside it; the adapter's main entry does not.
 */
export {
  startDataverseSimulator,
  dataverseSimulatorConfig,
  DATAVERSE_SIMULATOR_TENANT_ID,
  DATAVERSE_SIMULATOR_CLIENT_ID,
  DATAVERSE_SIMULATOR_CLIENT_SECRET,
  DATAVERSE_SIMULATOR_ACCOUNT_ID,
  type DataverseSimulator,
  type DataverseSimulatorOptions,
  type DataverseSimulatorState,
  type ServiceProtection,
} from './dataverse-simulator';
export type { EntraTokenServer, EntraTokenState } from './entra-token-server';
export type { SimulatedRow } from './simulated-tables';
export { dataverseSystem, simulatedSystems } from './dataverse-system';
export { conformanceHarness, DATAVERSE_FIXTURE_CONTACT } from './conformance-harness';
