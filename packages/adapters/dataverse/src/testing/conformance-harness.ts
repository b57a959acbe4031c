import type { ConformanceHarness } from '@lgx/testkit';
import type { DataverseConfig } from '../config';
import { dataverseSimulatorConfig, startDataverseSimulator, type DataverseSimulator } from './dataverse-simulator';

/** The contact the canonical crm.case and crm.contact fixtures name, as a CRM that already holds it. */
export const DATAVERSE_FIXTURE_CONTACT = { contactid: '0f3c5a7e-1b2d-4e6f-8a9b-c0d1e2f3a4b5', firstname: 'Sam', lastname: 'Example' };

/**
 * The conformance suite against the Dataverse simulator, holding the fixtures' contact: the adapter's
 * own conformance test and `lgx conformance @lgx/adapter-dataverse` both run it. The status round
 * trip resolves the incident.
 */
export const conformanceHarness: ConformanceHarness<DataverseConfig, DataverseSimulator> = {
  options: {
    simulator: () => startDataverseSimulator({ contacts: [DATAVERSE_FIXTURE_CONTACT] }),
    config: (sim) => dataverseSimulatorConfig(sim),
    countRecords: (sim) => sim.state.incidents.size,
    changeStatus: (sim, ref) => sim.resolve(ref),
  },
};
