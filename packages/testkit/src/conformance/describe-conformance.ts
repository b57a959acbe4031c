import { planConformance } from './plan-conformance';
import { openSession } from './open-session';
import { ConformanceFailure, type ConformanceOptions, type ConformanceSession } from './conformance-types';
import type { AdapterDefinition, Capability } from '@lgx/core';
import type { Simulator } from '../simulators/simulator-server';

type Fn = (...args: unknown[]) => unknown;
interface JestLike {
  describe: (name: string, fn: () => void) => void;
  it: ((name: string, fn: () => Promise<void>, timeout?: number) => void) & { skip: (name: string, fn: Fn) => void };
  beforeAll: (fn: () => Promise<void>, timeout?: number) => void;
  afterAll: (fn: () => Promise<void>, timeout?: number) => void;
}

/**
 * The conformance suite as jest tests: one call in an adapter's test file. Each check is its own
 * test, named after the check, the capability and the fixture.
 *
 * ```ts
 * describeAdapterConformance(adapter, { simulator: startMySimulator, config: (sim) => ({ baseUrl: sim.url, apiKey: 'test-key' }) });
 * ```
 */
export function describeAdapterConformance<Caps extends readonly Capability[], Config, Sim extends Simulator>(
  definition: AdapterDefinition<Caps, Config>,
  options: ConformanceOptions<Config, Sim>,
): void {
  const g = globalThis as unknown as Partial<JestLike>;
  if (!g.describe || !g.it || !g.beforeAll || !g.afterAll) {
    throw new Error(
      'describeAdapterConformance must be called inside a jest (or jest-compatible) test file; use runConformance() elsewhere',
    );
  }
  const { describe, it, beforeAll, afterAll } = g as JestLike;
  const checks = planConformance(definition, options);
  describe(`LGX conformance: ${definition.manifest.id} ${definition.manifest.version}`, () => {
    let session: ConformanceSession | undefined;
    beforeAll(async () => {
      session = await openSession(definition, options);
    }, 30_000);
    afterAll(async () => {
      await session?.close();
    }, 30_000);
    for (const check of checks) {
      if (check.skip !== undefined) {
        it.skip(`${check.title} (skipped: ${check.skip})`, () => undefined);
        continue;
      }
      it(
        check.title,
        async () => {
          if (!session) throw new ConformanceFailure(check.id, `[${check.id}] the simulator or adapter could not be started`);
          session.simulator.faults.clear();
          await check.run(session);
        },
        30_000,
      );
    }
  });
}
