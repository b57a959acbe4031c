import type { SimulatedSystem } from '@lgx/testkit';
import { streetWorksExampleConfig } from '../street-works-example';
import { REVENUES_PASSWORD, revenuesMapping, startRevenuesSimulator } from './revenues-simulator';
import {
  STREET_WORKS_DEFECT_TYPES,
  STREET_WORKS_PASSWORD,
  STREET_WORKS_USERNAME,
  startStreetWorksSimulator,
} from './street-works-simulator';

/** Streetworks Exchange (fictional) as `lgx simulate street-works` runs it, connected by the shipped example mapping. */
export const streetWorksSystem: SimulatedSystem = {
  name: 'street-works',
  title: 'Streetworks Exchange, a fictional SOAP highways system (street reports)',
  start: (options = {}) => startStreetWorksSimulator(options),
  address: (url) => `${url}/streetworks/v2?wsdl`,
  stack: (url) => ({
    package: '@lgx/adapter-soap',
    config: streetWorksExampleConfig(`${url}/streetworks/v2?wsdl`, {
      username: '${env:STREETWORKS_USERNAME}',
      password: '${env:STREETWORKS_PASSWORD}',
    }) as unknown as Record<string, unknown>,
    env: { STREETWORKS_USERNAME: STREET_WORKS_USERNAME, STREETWORKS_PASSWORD: STREET_WORKS_PASSWORD },
    types: ['street.report'],
    notes: [
      `defect types: ${STREET_WORKS_DEFECT_TYPES.join(', ')} (the mapping turns each street.report kind into one; a stack's defectType table overrides it)`,
      'defects are numbered DEF-000001 on; a USRN starting 99 is refused as not maintained by the authority',
    ],
  }),
};

/** Acme Revenues (fictional) as `lgx simulate revenues` runs it, connected by `revenuesMapping`. */
export const revenuesSystem: SimulatedSystem = {
  name: 'revenues',
  title: 'Acme Revenues, a fictional SOAP council tax system (change of address)',
  start: (options = {}) => startRevenuesSimulator(options),
  address: (url) => `${url}/revenues?wsdl`,
  stack: (url) => ({
    package: '@lgx/adapter-soap',
    config: revenuesMapping(`${url}/revenues?wsdl`),
    env: { REVENUES_PASSWORD },
    types: ['councilTax.changeOfAddress'],
    notes: ['cases are numbered CTM-00001 on and answer the status LOGGED (open)'],
  }),
};

/** The systems `lgx simulate` can start from this package. */
export const simulatedSystems: readonly SimulatedSystem[] = [streetWorksSystem, revenuesSystem];
