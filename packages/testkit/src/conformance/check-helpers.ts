import {
  classifyError,
  collectMarkedTexts,
  isLgxError,
  redact,
  schemaRegistry,
  type Capability,
  type ErrorClassification,
} from '@lgx/core';
import { ConformanceFailure, type CheckId, type ConformanceSession } from './conformance-types';

/** Fails the check with a message that names it. */
export function fail(check: CheckId, where: string, message: string): never {
  throw new ConformanceFailure(check, `[${check}] ${where}: ${message}`);
}

/** Awaits `promise`, failing the check if it does not settle within `ms` (a liveness guard, not a speed test). */
export async function settleWithin<T>(
  check: CheckId,
  where: string,
  promise: Promise<T>,
  ms: number,
): Promise<{ value?: T; error?: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<'guard'>((resolve) => (timer = setTimeout(() => resolve('guard'), ms)));
  try {
    const outcome = await Promise.race([
      promise.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
      guard,
    ]);
    if (outcome === 'guard')
      fail(check, where, `the operation had not settled ${ms} ms after its signal aborted: pass options.signal to every network call`);
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

/** Shorter values (a title, a house number) are too common to tell an adapter's leak from chance. */
const MIN_PERSONAL_VALUE = 6;

/**
 * The personal-data values in `data` of canonical type `type`: each text or number inside a field
 * marked `x-lgx-pii` (a marked address gives its postcode, street and so on), long enough to look for.
 */
export function personalValues(type: string, data: unknown): string[] {
  let schema;
  try {
    schema = schemaRegistry().get(type).schema;
  } catch {
    return [];
  }
  return collectMarkedTexts(data, schema, ['x-lgx-pii']).filter((v) => v.trim().length >= MIN_PERSONAL_VALUE);
}

/** Records the personal-data values of a fixture, so the logging and error checks can look for them. */
export function notePersonalData(session: ConformanceSession, type: string, data: unknown): void {
  for (const value of personalValues(type, data)) session.personalData.add(value);
}

/** The first personal-data value found in `text`, or undefined. */
export function personalValueIn(text: string, values: Iterable<string>): string | undefined {
  for (const value of values) if (text.includes(value)) return value;
  return undefined;
}

/**
 * What the adapter says about itself anyway: its manifest and its config without the secrets. A value
 * found here (a vendor called "Example", a key that embeds the product's name) cannot be told apart
 * from the adapter naming itself, so the leak checks leave it out.
 */
export function publicText(session: Pick<ConformanceSession, 'definition' | 'config'>): string {
  return JSON.stringify([
    session.definition.manifest,
    redact(session.config, session.definition.configSchema, { marks: ['x-lgx-secret'] }),
  ]);
}

/** The personal-data values seen so far that the adapter's public text does not contain. */
export function personalDataToFind(session: ConformanceSession, values: Iterable<string> = session.personalData): string[] {
  const known = publicText(session);
  return [...values].filter((v) => !known.includes(v));
}
