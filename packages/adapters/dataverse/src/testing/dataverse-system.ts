import type { SimulatedSystem } from '@lgx/testkit';
import {
  DATAVERSE_SIMULATOR_ACCOUNT_ID,
  DATAVERSE_SIMULATOR_CLIENT_ID,
  DATAVERSE_SIMULATOR_CLIENT_SECRET,
  DATAVERSE_SIMULATOR_TENANT_ID,
  startDataverseSimulator,
} from './dataverse-simulator';

/** The Dataverse simulator as `lgx simulate dataverse` runs it: the token endpoint on the same port. */
export const dataverseSystem: SimulatedSystem = {
  name: 'dataverse',
  title: 'a Dynamics 365 Customer Service environment (Dataverse Web API, with its Entra ID token endpoint)',
  start: (options = {}) => startDataverseSimulator({ ...options, authorityOnSamePort: true }),
  address: (url) => `${url}/api/data/v9.2`,
  stack: (url) => ({
    package: '@lgx/adapter-dataverse',
    config: {
      url,
      authorityHost: url,
      tenantId: DATAVERSE_SIMULATOR_TENANT_ID,
      clientId: DATAVERSE_SIMULATOR_CLIENT_ID,
      clientSecret: '${env:DATAVERSE_CLIENT_SECRET}',
      anonymousCustomer: { entitySet: 'accounts', id: DATAVERSE_SIMULATOR_ACCOUNT_ID },
    },
    env: { DATAVERSE_CLIENT_SECRET: DATAVERSE_SIMULATOR_CLIENT_SECRET },
    types: ['crm.case', 'crm.contact'],
    notes: [
      `a case goes to incidents with its LGX transaction id in the alternate key lgx_transactionid; one without a contact is filed under the account ${DATAVERSE_SIMULATOR_ACCOUNT_ID} (Anonymous callers)`,
      'case numbers run CAS-01001-..., CAS-01002-...; statecode/statuscode 0/1 answers "open" to status polling, which follows change tracking',
      'tokens come from the same port (authorityHost); a restart issues new ones and the adapter fetches one again',
    ],
  }),
};

/** The systems `lgx simulate` can start from this package. */
export const simulatedSystems: readonly SimulatedSystem[] = [dataverseSystem];
