import { classifyError, collectMarkedValues, isLgxError, schemaRegistry, type Capability, type ErrorClassification } from '@lgx/core';
import { ConformanceFailure, type CheckId, type ConformanceSession } from './conformance-types';

/** Fails the check with a message that names it. */
export function fail(check: CheckId, where: string, message: string): never {
  throw new ConformanceFailure(check, `[${check}] ${where}: ${message}`);
}

/** Awaits `promise`, failing the check if it does not settle within `ms` (a liveness guard, not a speed test). */
export async function settleWithin<T>(check: CheckId, where: string, promise: Promise<T>, ms: number): Promise<{ value?: T; error?: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<'guard'>((resolve) => (timer = setTimeout(() => resolve('guard'), ms)));
  try {
    const outcome = await Promise.race([promise.then((value) => ({ value }), (error: unknown) => ({ error })), guard]);
    if (outcome === 'guard') fail(check, where, `the operation had not settled ${ms} ms after its signal aborted: pass options.signal to every network call`);
    return outcome;
  } finally {
    clearTimeout(timer);
  }
}

/** Asserts that `error` is classified as `expected`, failing with what it was instead. */
export function expectClassified(check: CheckId, where: string, error: unknown, expected: ErrorClassification): void {
  if (error === undefined) fail(check, where, `expected a ${expected} error, but the operation succeeded`);
  const got = classifyError(error);
  const label = isLgxError(error) ? `${error.name} (${error.code})` : String((error as Error)?.name ?? error);
  if ((error as { classification?: unknown })?.classification === undefined) {
    fail(check, where, `threw an unclassified ${label}; throw one of the @lgx/core adapter error classes (expected ${expected})`);
  }
  if (got !== expected) fail(check, where, `classified as ${got} (${label}), expected ${expected}`);
}

/** The capabilities declaring an operation. */
export function capabilitiesWith(capabilities: readonly Capability[], operation: Capability['operations'][number]): Capability[] {
  return capabilities.filter((c) => c.operations.includes(operation));
}

/** Records the personal-data values of a fixture, so the logging check can look for them. */
export function notePersonalData(session: ConformanceSession, type: string, data: unknown): void {
  const schema = schemaRegistry().get(type).schema;
  for (const value of collectMarkedValues(data, schema, ['x-lgx-pii'])) if (value.length >= 6) session.personalData.add(value);
}
