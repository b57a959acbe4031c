import type { SimulatedSystem } from '@lgx/testkit';
import { DEFAULT_OPEN311_SERVICES, OPEN311_TEST_API_KEY, startOpen311Simulator } from './open311-simulator';

const BASE_PATH = '/open311/v2';

/** The Open311 simulator as `lgx simulate open311` runs it. */
export const open311System: SimulatedSystem = {
  name: 'open311',
  title: 'an Open311 GeoReport v2 back office (street reports and missed bins)',
  start: (options = {}) => startOpen311Simulator(options),
  address: (url) => `${url}${BASE_PATH}`,
  stack: (url) => ({
    package: '@lgx/adapter-open311',
    config: { baseUrl: `${url}${BASE_PATH}`, apiKey: '${env:OPEN311_API_KEY}' },
    env: { OPEN311_API_KEY: OPEN311_TEST_API_KEY },
    types: ['waste.missedCollection', 'street.report'],
    notes: [
      `service codes: ${DEFAULT_OPEN311_SERVICES.filter((s) => s.keywords !== 'private')
        .map((s) => s.service_code)
        .join(', ')}`,
      "a missed bin goes to missed_<service> (missed_refuse ...) and a street report to its kind (pothole, street_light ...); the stack's service table or the adapter's serviceCodes map other codes",
      'requests are numbered from 1001; each answers a first update "open" (RECEIVED) to status polling',
    ],
  }),
};

/** The systems `lgx simulate` can start from this package. */
export const simulatedSystems: readonly SimulatedSystem[] = [open311System];
