import { closeCheck, declarationChecks, eraseCheck } from './declaration-checks';
import { deliveryChecks } from './delivery-checks';
import { faultChecks } from './fault-checks';
import { stateChecks } from './state-checks';
import { statusFaultChecks } from './status-fault-checks';
import { dataProtectionChecks } from './data-protection-checks';
import { loggingCheck } from './logging-check';
import { openSession } from './open-session';
import {
  ConformanceFailure,
  type CheckResult,
  type ConformanceCheck,
  type ConformanceOptions,
  type ConformanceSession,
} from './conformance-types';
import type { AdapterDefinition, Capability } from '@lgx/core';
import type { Simulator } from '../simulators/simulator-server';

/** The checks for an adapter, in the order they run. Known without starting anything. */
export function planConformance<Caps extends readonly Capability[], Config, Sim extends Simulator>(
  definition: AdapterDefinition<Caps, Config>,
  options: ConformanceOptions<Config, Sim>,
): ConformanceCheck[] {
  const checks = [
    ...declarationChecks(),
    ...deliveryChecks(definition.capabilities, options),
    ...faultChecks(options),
    ...stateChecks(definition.capabilities, options),
    ...statusFaultChecks(definition.capabilities),
    ...dataProtectionChecks(definition.capabilities),
    loggingCheck(),
    // Only for adapters that pass erasures on: every other adapter's plan stays as it was.
    ...(definition.capabilities.some((c) => c.operations.includes('erase')) ? [eraseCheck()] : []),
    closeCheck(),
  ];
  for (const check of checks) {
    const reason = options.skip?.[check.id];
    if (reason !== undefined) check.skip = reason;
  }
  return checks;
}

/**
 * Runs the whole suite outside any test framework and reports every check. Used by the CLI's
 * `lgx conformance` and by tests that assert a broken adapter is caught by the right check.
 */
export async function runConformance<Caps extends readonly Capability[], Config, Sim extends Simulator>(
  definition: AdapterDefinition<Caps, Config>,
  options: ConformanceOptions<Config, Sim>,
): Promise<CheckResult[]> {
  const checks = planConformance(definition, options);
  const session: ConformanceSession = await openSession(definition, options);
  const results: CheckResult[] = [];
  try {
    for (const check of checks) {
      if (check.skip !== undefined) {
        results.push({ id: check.id, title: check.title, status: 'skip', message: check.skip });
        continue;
      }
      try {
        session.simulator.faults.clear();
        await check.run(session);
        results.push({ id: check.id, title: check.title, status: 'pass' });
      } catch (error) {
        const message =
          error instanceof ConformanceFailure
            ? error.message
            : `[${check.id}] ${check.title}: ${(error as Error)?.message ?? String(error)}`;
        results.push({ id: check.id, title: check.title, status: 'fail', message });
      }
    }
  } finally {
    await session.close().catch(() => undefined);
  }
  return results;
}
