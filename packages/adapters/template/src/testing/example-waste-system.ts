import type { SimulatedSystem } from '@lgx/testkit';
import { API_KEY, startExampleWasteSimulator } from './example-waste-simulator';

/** The Example Waste simulator as `lgx simulate example-waste` runs it. */
export const exampleWasteSystem: SimulatedSystem = {
  name: 'example-waste',
  title: 'Example Waste, a fictional REST waste system (missed bins, containers, bin days)',
  start: (options = {}) => startExampleWasteSimulator(options),
  address: (url) => url,
  stack: (url) => ({
    package: '@lgx/adapter-template',
    config: { baseUrl: url, apiKey: '${env:EXAMPLE_WASTE_API_KEY}' },
    env: { EXAMPLE_WASTE_API_KEY: API_KEY },
    types: ['waste.missedCollection', 'waste.containerRequest', 'waste.collectionSchedule'],
    notes: [
      "cases are numbered MC-000001 (missed bins) and CR-000001 (containers) on; service codes REF, REC, GDN, FOOD (the stack's service table maps yours)",
    ],
  }),
};

/** The systems `lgx simulate` can start from this package. */
export const simulatedSystems: readonly SimulatedSystem[] = [exampleWasteSystem];
