import type { AdapterInstance, Envelope } from '@lgx/core';
import { personalValues } from './check-helpers';
import type { ConformanceSession } from './conformance-types';

type Observed = Pick<ConformanceSession, 'errors' | 'mutations' | 'receiptLog' | 'personalData'>;
type AnyFn = (...args: unknown[]) => Promise<unknown>;

const OPERATIONS = ['check', 'submit', 'getStatus', 'pollUpdates', 'query', 'handleCallback', 'erase'] as const;

/** The first JSON path at which `after` differs from `before`, for a failure message (never the values). */
export function firstDifference(before: unknown, after: unknown, path = ''): string | undefined {
  if (Object.is(before, after)) return undefined;
  if (
    typeof before !== 'object' ||
    typeof after !== 'object' ||
    before === null ||
    after === null ||
    Array.isArray(before) !== Array.isArray(after)
  )
    return path || '/';
  // Values only: a copy has another prototype (and drops functions), which is no change to the data.
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const key of keys) {
    const found = firstDifference((before as Record<string, unknown>)[key], (after as Record<string, unknown>)[key], `${path}/${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * The instance the checks call: the adapter's own, with every operation watched. Each error thrown is
 * kept (the error check reads them), each submitted transaction's personal data noted, each receipt
 * kept beside that data, and each transaction compared afterwards with a copy taken before the call,
 * so a change made in place is caught whichever check made the call.
 */
export function observeInstance(instance: AdapterInstance, observed: Observed): AdapterInstance {
  const watched: Record<string, unknown> = {};
  for (const name of OPERATIONS) {
    const original = instance[name] as AnyFn | undefined;
    if (typeof original !== 'function') continue;
    watched[name] = async (...args: unknown[]) => {
      const tx = name === 'submit' ? (args[0] as Envelope) : undefined;
      const before = tx ? structuredClone(tx) : undefined;
      const personal = tx ? personalValues(tx.type, tx.data) : [];
      for (const value of personal) observed.personalData.add(value);
      const label = tx ? `submit ${tx.type}` : name;
      try {
        const result = await original.apply(instance, args);
        if (tx) observed.receiptLog.push({ label, receipt: result, personalData: personal });
        return result;
      } catch (error) {
        observed.errors.push({ operation: label, error });
        throw error;
      } finally {
        const changed = tx ? firstDifference(before, tx) : undefined;
        if (changed !== undefined) observed.mutations.push({ label, path: changed });
      }
    };
  }
  if (typeof instance.close === 'function') watched['close'] = () => instance.close!();
  return watched as AdapterInstance;
}
