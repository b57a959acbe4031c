import type { AdapterDefinition, Capability } from '@lgx/core';
import type { Simulator } from '../simulators/simulator-server';
import type { ConformanceOptions } from './conformance-types';

/**
 * How to run the conformance suite on one adapter package: the suite's options against the
 * package's own simulator, and the adapter definition they fit where the package's default export is
 * not it (a declarative adapter declared for the mapping the options configure). An adapter package
 * exports it as `conformanceHarness` from its `testing` entry; its own conformance test runs it, and
 * so does `lgx conformance <package>`, so the two cannot drift apart.
 *
 * ```ts
 * export const conformanceHarness: ConformanceHarness<AcmeConfig, AcmeSimulator> = {
 *   options: { simulator: startAcmeSimulator, config: (sim) => ({ baseUrl: sim.url, apiKey: ACME_KEY }) },
 * };
 * ```
 */
export interface ConformanceHarness<Config = unknown, Sim extends Simulator = Simulator> {
  /** The definition to check; without it, the package's default export (or its `adapter` export). */
  adapter?: AdapterDefinition<readonly Capability[], Config>;
  options: ConformanceOptions<Config, Sim>;
}
