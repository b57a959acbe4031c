import { describeAdapterConformance } from '@lgx/testkit';
import { startDataverseSimulator, type DataverseSimulator } from '../src/testing';
import adapter from '../src';
import { FIXTURE_CONTACT, dataverseConfig } from './helpers';

// The whole LGX conformance suite, against the Dataverse simulator.
describeAdapterConformance(adapter, {
  simulator: () => startDataverseSimulator({ contacts: [FIXTURE_CONTACT] }),
  config: (sim: DataverseSimulator) => dataverseConfig(sim),
  countRecords: (sim: DataverseSimulator) => sim.state.incidents.size,
  changeStatus: (sim: DataverseSimulator, ref: string) => sim.resolve(ref),
});
