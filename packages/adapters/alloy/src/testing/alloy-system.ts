import type { SimulatedSystem } from '@lgx/testkit';
import { alloyExampleConfig } from '../example-config';
import { ENQUIRY, MISSED, REPORT } from '../example-designs';
import { ALLOY_SIMULATOR_API_KEY, startAlloySimulator } from './alloy-simulator';

/** The Alloy simulator as `lgx simulate alloy` runs it: the FICTIONAL example customer's designs. */
export const alloySystem: SimulatedSystem = {
  name: 'alloy',
  title: 'an Alloy asset-management customer (street reports, missed bins and enquiries as items)',
  start: (options = {}) => startAlloySimulator(options),
  address: (url) => `${url}/api/`,
  stack: (url) => ({
    package: '@lgx/adapter-alloy',
    config: { ...alloyExampleConfig(`${url}/api/`, '${env:ALLOY_API_KEY}') },
    env: { ALLOY_API_KEY: ALLOY_SIMULATOR_API_KEY },
    types: ['street.report', 'waste.missedCollection', 'crm.case'],
    notes: [
      `the example customer's designs: street reports to ${REPORT.design}, missed bins to ${MISSED.design}, cases to ${ENQUIRY.design}; a council's own codes replace them in the adapter's config`,
      'each item holds the LGX transaction id, so a repeat finds the item already made; item ids are Alloy ids (24 hex digits)',
      'status polling reads the status option items of items edited since the last poll (a new report answers "open")',
    ],
  }),
};

/** The systems `lgx simulate` can start from this package. */
export const simulatedSystems: readonly SimulatedSystem[] = [alloySystem];
