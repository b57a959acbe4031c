import { describeAdapterConformance } from '@lgx/testkit';
import { conformanceHarness } from '../src/testing';
import adapter from '../src';

// The whole LGX conformance suite, against the Open311 simulator, in each format: the harness the
// package's `testing` export gives `lgx conformance`, with the format set.
const { options } = conformanceHarness;
for (const format of ['xml', 'json'] as const) {
  describe(`format ${format}`, () => {
    describeAdapterConformance(adapter, { ...options, config: (sim) => ({ ...options.config(sim), format }) });
  });
}
